// SIEM export through real sinks: a JetStream consumer, a local HTTP webhook receiver that goes
// down for a few seconds, and a JSONL file. Nothing may be missing or out of order afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { AckPolicy, connect, StringCodec } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditExporter } from '../../src/audit/exporter.ts';
import { toOcsf } from '../../src/audit/ocsf.ts';
import { createFileSink } from '../../src/audit/sinks/file.ts';
import { createNatsSink } from '../../src/audit/sinks/nats.ts';
import { createWebhookSink } from '../../src/audit/sinks/webhook.ts';
import type { AuditEvent } from '../../src/audit/types.ts';
import { rows } from '../../src/platform/db.ts';
import { SIGNATURE_HEADER, verifyWebhook } from '../../src/platform/webhook-signature.ts';
import { testDbKind } from '../helpers/db.ts';
import { appendMany, setupAudit } from './helpers.ts';

const NATS = process.env.VIGIL_TEST_NATS_URL ?? '127.0.0.1:4222';
const until = async (cond: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return cond();
};

const untilAsync = async (cond: () => Promise<boolean>, ms: number) => {
  const end = Date.now() + ms;
  while (!(await cond()) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return cond();
};

describe(`audit SIEM export (${testDbKind})`, () => {
  let s: Awaited<ReturnType<typeof setupAudit>>;
  beforeAll(async () => {
    s = await setupAudit('ex');
  });
  afterAll(() => s.t.drop());
  const allSinksCaughtUp = async (sinkIds: string[]) => {
    const behind = await s.db.withOwner((tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from audit_heads h cross join (values ${sql.join(
          sinkIds.map((id) => sql`(${id})`),
          sql`, `,
        )}) as k(sink_id)
            left join audit_sink_cursors c on c.chain = h.chain and c.sink_id = k.sink_id
            where h.tenant_id in (${s.a}::uuid, ${s.b}::uuid) and h.last_seq > coalesce(c.last_seq, 0)`,
      ),
    );
    return behind[0]?.n === 0;
  };

  it('maps actions to OCSF classes', () => {
    const ev = (action: string, outcome = 'success'): AuditEvent => ({
      tenantId: s.a,
      seq: 1,
      time: '2026-01-01T00:00:00.000Z',
      actorType: 'user',
      actorId: 'u1',
      action,
      resourceType: 'customer',
      resourceId: 'c1',
      outcome,
      reason: null,
      ip: '192.0.2.1',
      uaHash: null,
      requestId: 'r1',
      meta: {},
      prevHash: '00',
      hash: '11',
    });
    expect(toOcsf(ev('auth.login'))).toMatchObject({ class_uid: 3002, type_uid: 300201, status_id: 1 });
    expect(toOcsf(ev('auth.lockout'))).toMatchObject({ class_uid: 3001, activity_id: 9 });
    expect(toOcsf(ev('customer.read', 'denied'))).toMatchObject({
      class_uid: 6003,
      activity_id: 2,
      status_id: 2,
      status_detail: 'denied',
    });
    expect(toOcsf(ev('detection.bulk_read'))).toMatchObject({
      class_uid: 2004,
      finding_info: { title: 'detection.bulk_read' },
    });
    expect(toOcsf(ev('customer.read')).metadata).toMatchObject({
      version: '1.3.0',
      uid: `${s.a}:1`,
      sequence: 1,
    });
  });

  it('delivers to JetStream, a webhook that goes down and comes back, and a JSONL file', async () => {
    // JetStream: a dedicated stream for this run, on the production subject scheme.
    const stream = `VIGIL_AUDIT_T${randomBytes(4).toString('hex')}`;
    const nats = createNatsSink({
      id: 'nats',
      servers: NATS,
      stream,
      streamSubjects: [`vigil.audit.${s.a}`, `vigil.audit.${s.b}`],
    });

    // Webhook receiver with signature check, down in the middle (it resets every connection, and
    // keeps its port, so nothing else can take it) until the exporter has seen it fail.
    const secret = 'test-webhook-secret';
    const received: { tenant: string; seqs: number[] }[] = [];
    let badSignatures = 0;
    let down = false;
    const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      if (down) {
        req.socket.destroy();
        return;
      }
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (!verifyWebhook(secret, body, String(req.headers[SIGNATURE_HEADER]), Date.now())) {
          badSignatures++;
          res.writeHead(401).end();
          return;
        }
        const p = JSON.parse(body) as { tenant: string; events: { metadata: { sequence: number } }[] };
        received.push({ tenant: p.tenant, seqs: p.events.map((e) => e.metadata.sequence) });
        res.writeHead(204).end();
      });
    };
    const server: Server = createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const webhook = createWebhookSink({
      id: 'webhook',
      url: `http://127.0.0.1:${port}/audit`,
      secret,
      timeoutMs: 2000,
    });
    const file = join(mkdtempSync(join(tmpdir(), 'vigil-audit-')), 'audit.jsonl');
    const errors: string[] = [];
    const exporter = createAuditExporter({
      db: s.db,
      sinks: [nats, webhook, createFileSink('file', file)],
      batchSize: 7,
      pollMs: 100,
      backoff: { initialMs: 100, maxMs: 800 },
      onError: (id) => errors.push(id),
    });
    exporter.start();
    try {
      await appendMany(s.log, s.db, s.a, 15);
      await appendMany(s.log, s.db, s.b, 5);
      expect(await until(() => received.flatMap((r) => r.seqs).length >= 20, 30_000)).toBe(true);

      down = true;
      server.closeAllConnections();
      // Appends go on while a sink is down (the exporter is its own loop; nothing waits for it).
      await appendMany(s.log, s.db, s.a, 25);
      expect(await until(() => errors.includes('webhook'), 30_000)).toBe(true);
      down = false;
      expect(
        await until(
          () => new Set(received.filter((r) => r.tenant === s.a).flatMap((r) => r.seqs)).size >= 40,
          30_000,
        ),
      ).toBe(true);
      // Each sink is its own loop: the webhook having everything says nothing about JetStream or the
      // file (one may still be backing off). Stop only when every sink's cursor is at both heads.
      expect(await untilAsync(() => allSinksCaughtUp(['nats', 'webhook', 'file']), 30_000)).toBe(true);
    } finally {
      await exporter.stop();
      server.close();
      server.closeAllConnections();
    }
    expect(badSignatures).toBe(0);
    for (const [tenant, n] of [
      [s.a, 40],
      [s.b, 5],
    ] as const) {
      // At-least-once: a batch may repeat, but each batch continues where the last ended.
      const seqs = received.filter((r) => r.tenant === tenant).flatMap((r) => r.seqs);
      let last = 0;
      for (const q of seqs) {
        expect(q).toBeLessThanOrEqual(last + 1);
        last = Math.max(last, q);
      }
      expect([...new Set(seqs)]).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    }

    // The JetStream consumer sees every event of tenant A in order.
    const nc = await connect({ servers: NATS });
    try {
      const jsm = await nc.jetstreamManager();
      await jsm.consumers.add(stream, {
        durable_name: 'check',
        ack_policy: AckPolicy.None,
        filter_subject: `vigil.audit.${s.a}`,
      });
      const consumer = await nc.jetstream().consumers.get(stream, 'check');
      const sc = StringCodec();
      const seqs: number[] = [];
      while (seqs.length < 40) {
        const batch = await consumer.fetch({ max_messages: 100, expires: 2000 });
        let got = 0;
        for await (const m of batch) {
          got++;
          const o = JSON.parse(sc.decode(m.data)) as {
            class_uid: number;
            metadata: { sequence: number; tenant_uid: string };
          };
          expect(o.metadata.tenant_uid).toBe(s.a);
          seqs.push(o.metadata.sequence);
        }
        if (got === 0) break;
      }
      expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      await jsm.streams.delete(stream);
    } finally {
      await nc.close();
    }

    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { metadata: { sequence: number; tenant_uid: string } });
    expect(lines.filter((l) => l.metadata.tenant_uid === s.a).map((l) => l.metadata.sequence)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
  }, 60_000);
});
