// Restart (SIGTERM, start again on the same port) while chat visitors are connected over
// WebSocket: every client gets a close, reconnects with its visitor token, and every message
// acknowledged before or after the restart is in the conversation.
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- ws ships no types here (transitive dependency of @fastify/websocket)
import WebSocket from 'ws';
import { postWidget, widgetTexts } from './cli.ts';
import { createPgDatabase, freePort, type NodeProc } from './servers.ts';
import { prepare } from './setup.ts';

interface Ws {
  on(event: 'message', fn: (data: Buffer) => void): void;
  off(event: 'message', fn: (data: Buffer) => void): void;
  once(event: 'close', fn: (code: number) => void): void;
  once(event: 'error', fn: (e: Error) => void): void;
  send(s: string): void;
  close(): void;
}

interface Visitor {
  token: string;
  acked: string[];
  ws?: Ws;
  closed?: Promise<number>;
}

function open(url: string, slug: string, v: Visitor): Promise<void> {
  const ws: Ws = new WebSocket(
    `${url.replace(/^http/, 'ws')}/api/v1/widget/${slug}/ws?token=${encodeURIComponent(v.token)}`,
    { origin: 'http://localhost' },
  );
  v.ws = ws;
  v.closed = new Promise((r) => ws.once('close', (code) => r(code)));
  return new Promise((res, rej) => {
    ws.once('error', rej);
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string };
      if (m.type === 'hello') res();
    });
  });
}

/** Sends one message over the socket; resolves when the server acknowledged it (after commit). */
function send(v: Visitor, text: string, id: string): Promise<void> {
  return new Promise((res, rej) => {
    const onMessage = (d: Buffer) => {
      const m = JSON.parse(String(d)) as { type: string; clientMessageId?: string; code?: string };
      if (m.clientMessageId !== id) return;
      v.ws!.off('message', onMessage);
      if (m.type === 'ack') {
        v.acked.push(text);
        res();
      } else rej(new Error(`message refused: ${m.code}`));
    };
    v.ws!.on('message', onMessage);
    v.ws!.send(JSON.stringify({ type: 'message', text, clientMessageId: id }));
  });
}

describe('fault: restart with WebSocket clients connected', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  it.each(['pglite', 'postgres'] as const)(
    '%s: clients get a close, reconnect, nothing acknowledged is lost',
    async (engine) => {
      const pgdb = engine === 'postgres' ? await createPgDatabase() : null;
      if (pgdb) cleanup.push(() => pgdb.drop());
      const ports = { PORT: String(await freePort()), SMTP_PORT: String(await freePort()) };
      const f = await prepare(pgdb?.url ?? '', ports); // the same ports after the restart
      let node: NodeProc = await f.node();
      cleanup.push(() => node.stop());

      const visitors: Visitor[] = [];
      for (let i = 0; i < 3; i++) {
        const text = `Besucher ${i}: erste Nachricht`;
        const r = await postWidget(node.url, f.world, text, `ws-${engine}-${i}-first`);
        expect(r.status).toBe(201);
        visitors.push({ token: r.json.visitorToken, acked: [text] });
      }
      for (const v of visitors) await open(node.url, f.world.slug, v);
      await Promise.all(
        visitors.map((v, i) => send(v, `Besucher ${i}: vor dem Neustart`, `ws-${engine}-${i}-before`)),
      );

      const t0 = performance.now();
      await node.stop();
      const codes = await Promise.all(visitors.map((v) => v.closed!));
      node = await f.node();
      const restartMs = Math.round(performance.now() - t0);

      for (const v of visitors) await open(node.url, f.world.slug, v);
      await Promise.all(
        visitors.map((v, i) => send(v, `Besucher ${i}: nach dem Neustart`, `ws-${engine}-${i}-after`)),
      );
      for (const v of visitors) {
        expect(await widgetTexts(node.url, f.world, v.token)).toEqual(v.acked);
        v.ws!.close();
      }
      console.log(
        JSON.stringify({ fault: `restart with WebSocket clients (${engine})`, closeCodes: codes, restartMs }),
      );
    },
    300_000,
  );
});
