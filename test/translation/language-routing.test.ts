// Routing by language through the real ingest paths: a tenant maps French to its second queue
// (admin API, validated, audited); a French widget message (HTTP), a French message on the
// widget's WebSocket and a French e-mail over real SMTP open their conversations in that queue
// with the language stored; German goes to the default queues. Bad routes answer 4xx.
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import {
  auditCount,
  ORIGIN,
  openWs,
  slugs,
  startWorld,
  type World,
  wsUrl,
} from '../conversations/fixture.ts';
import { testDbKind } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';

const FR = 'Bonjour, je ne peux pas me connecter à mon compte. Merci de votre aide.';
const DE = 'Hallo, ich kann mich nicht anmelden. Bitte helfen Sie mir, danke.';

describe(`routing by language (${testDbKind})`, () => {
  let w: World;
  let A: string;
  let address: string;
  const routes = () => `/api/v1/tenants/${A}/language-routes`;
  const conv = (id: string) =>
    w.v.call('GET', `/api/v1/tenants/${A}/conversations/${id}`, undefined, w.s.supA);
  beforeAll(async () => {
    w = await startWorld();
    A = slugs(w).slugA;
    address = `support-${randomBytes(3).toString('hex')}@acme-mail.test`;
    await w.v.core.db.withTenant(w.a, (tx) =>
      tx.execute(
        sql`insert into email_inbound_addresses (tenant_id, address, queue_id) values (${w.a}, ${address}, ${w.queueA1})`,
      ),
    );
  }, 120_000);
  afterAll(() => w?.v.close());

  it('the map is validated: own queues only (422), known languages only (400), no agent (403)', async () => {
    const foreign = await w.v.call('PUT', `${routes()}/fr`, { queueId: w.queueB }, w.s.supA);
    expect(foreign.status).toBe(422);
    expect(foreign.json.error.code).toBe('unknown_queue');
    const missing = await w.v.call('PUT', `${routes()}/fr`, { queueId: randomUUID() }, w.s.supA);
    expect(missing.status).toBe(422);
    expect((await w.v.call('PUT', `${routes()}/xx`, { queueId: w.queueA2 }, w.s.supA)).status).toBe(400);
    expect((await w.v.call('PUT', `${routes()}/fr`, { queueId: 'nope' }, w.s.supA)).status).toBe(400);
    expect((await w.v.call('PUT', `${routes()}/fr`, { queueId: w.queueA2 }, w.s.agentA1)).status).toBe(403);
    expect((await w.v.call('DELETE', `${routes()}/es`, undefined, w.s.supA)).status).toBe(404);
    expect(await auditCount(w, w.a, 'language_route.set')).toBe(0);
  });

  it('a supervisor routes French to the second queue (audited); another tenant does not see it', async () => {
    const r = await w.v.call('PUT', `${routes()}/fr`, { queueId: w.queueA2 }, w.s.supA);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ language: 'fr', queueId: w.queueA2 });
    expect(await auditCount(w, w.a, 'language_route.set', w.queueA2)).toBe(1);
    const list = await w.v.call('GET', routes(), undefined, w.s.supA);
    expect(
      list.json.items.map((i: { language: string; queueId: string }) => [i.language, i.queueId]),
    ).toEqual([['fr', w.queueA2]]);
    const [b] = await w.v.core.db.withTenant(w.b, (tx) =>
      rows<{ n: number }>(tx, sql`select count(*)::int as n from language_routes`),
    );
    expect(b!.n).toBe(0);
  });

  it('widget over HTTP: French opens in the French queue, German in the widget default', async () => {
    const post = (text: string) =>
      w.v.call(
        'POST',
        `/api/v1/widget/${A}/messages`,
        { text, clientMessageId: `cm-${randomBytes(6).toString('hex')}` },
        null,
        ORIGIN,
      );
    const fr = await post(FR);
    expect(fr.status).toBe(201);
    const frView = await conv(fr.json.conversationId);
    expect(frView.json.queueId).toBe(w.queueA2);
    expect(frView.json.language).toBe('fr');
    const de = await post(DE);
    const deView = await conv(de.json.conversationId);
    expect(deView.json.queueId).toBe(w.queueA1);
    expect(deView.json.language).toBe('de');
    // The agent of the French queue sees the French conversation; the other does not.
    const list = await w.v.call('GET', `/api/v1/tenants/${A}/conversations`, undefined, w.s.agentA2);
    expect(list.json.items.map((c: { id: string }) => c.id)).toContain(fr.json.conversationId);
    expect(list.json.items.map((c: { id: string }) => c.id)).not.toContain(de.json.conversationId);

    // Widget over the WebSocket: the visitor's German conversation is closed; a French message
    // on the socket opens the next conversation, routed to the French queue.
    const closed = await w.v.call(
      'PATCH',
      `/api/v1/tenants/${A}/conversations/${de.json.conversationId}`,
      { status: 'closed' },
      w.s.supA,
    );
    expect(closed.status).toBe(200);
    const visitor = await openWs(
      wsUrl(w, `/api/v1/widget/${A}/ws?token=${encodeURIComponent(de.json.visitorToken)}`),
      ORIGIN,
    );
    visitor.ws.send(JSON.stringify({ type: 'message', text: FR, clientMessageId: 'cm-ws-00000001' }));
    const ack = await visitor.next((m) => m.type === 'ack');
    visitor.ws.close();
    expect(ack.conversationId).not.toBe(de.json.conversationId);
    const wsView = await conv(ack.conversationId as string);
    expect(wsView.json.queueId).toBe(w.queueA2);
    expect(wsView.json.language).toBe('fr');
  });

  it('e-mail over SMTP: French goes to the French queue instead of the address queue', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: w.v.smtpPort!,
      secure: false,
      ignoreTLS: true,
    });
    const send = (subject: string, text: string) =>
      transport.sendMail({ from: `client.${randomUUID()}@example.test`, to: address, subject, text });
    const mine = async (subject: string) => {
      await send(subject, subject.startsWith('fr') ? FR : DE);
      return waitFor('the e-mail conversation', async () => {
        const l = await w.v.call(
          'GET',
          `/api/v1/tenants/${A}/conversations?channel=email`,
          undefined,
          w.s.supA,
        );
        return (
          l.json.items as Array<{ id: string; queueId: string; language: string; createdAt: string }>
        ).find((c) => c.language === (subject.startsWith('fr') ? 'fr' : 'de'));
      });
    };
    const fr = await mine('fr: compte bloqué');
    expect(fr.queueId).toBe(w.queueA2);
    const de = await mine('de: Konto gesperrt');
    expect(de.queueId).toBe(w.queueA1);
    // Removing the route restores the address queue for the next French mail.
    expect((await w.v.call('DELETE', `${routes()}/fr`, undefined, w.s.supA)).status).toBe(200);
    expect(await auditCount(w, w.a, 'language_route.delete')).toBe(1);
    await send('fr: encore', FR);
    const again = await waitFor('the second French mail', async () => {
      const l = await w.v.call(
        'GET',
        `/api/v1/tenants/${A}/conversations?channel=email`,
        undefined,
        w.s.supA,
      );
      const fr2 = (l.json.items as Array<{ id: string; queueId: string; language: string }>).filter(
        (c) => c.language === 'fr',
      );
      return fr2.length === 2 ? fr2 : undefined;
    });
    expect(again.map((c) => c.queueId).sort()).toEqual([w.queueA1, w.queueA2].sort());
  });
});
