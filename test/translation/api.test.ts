// The agent API on a real Vigil and database: a German message with a name, an IBAN and a phone is
// read in English through a DeepL-protocol server run here; what the server received holds
// placeholders only; the agent's view keeps its tokens and masks; the reply goes back in German.
// Out-of-queue and cross-tenant callers get 404; each translation is audited.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/ingest/index.ts';
import { auditCount, slugs, startWorld, type World } from '../conversations/fixture.ts';
import { testDbKind } from '../helpers/db.ts';
import { type StandIn, startDeepl } from './stand-ins.ts';

const IBAN = 'DE89 3704 0044 0532 0130 00';
const TEXT = `Guten Tag, ich heiße Erika Mustermann. Meine IBAN ist ${IBAN} und meine Telefonnummer ist 0170 1234567. Bitte rufen Sie mich an.`;

describe(`translation API (${testDbKind})`, () => {
  let w: World;
  let deepl: StandIn;
  let conversationId: string;
  let messageId: string;

  beforeAll(async () => {
    deepl = await startDeepl('vigil-test-key');
    w = await startWorld({
      translationProvider: 'deepl',
      translationUrl: deepl.url,
      translationApiKey: 'vigil-test-key',
    });
    const r = await w.v.app.contact!.ingest.ingestMessage(
      systemContext({ id: w.a, slug: slugs(w).slugA, name: 'a' }),
      {
        channel: 'chat',
        direction: 'inbound',
        author: { type: 'visitor', id: null },
        text: TEXT,
        idempotencyKey: `t:${randomUUID()}`,
        newConversation: { channel: 'chat', customer: { name: 'Erika Mustermann' }, queueId: w.queueA1 },
      },
    );
    conversationId = r.conversationId;
    messageId = r.messageId;
  }, 120_000);
  afterAll(async () => {
    await w?.v.close();
    await deepl?.close();
  });

  const base = () => `/api/v1/tenants/${slugs(w).slugA}/conversations/${conversationId}`;

  it('an agent reads the message in English; DeepL never receives the personal data', async () => {
    const r = await w.v.call(
      'POST',
      `${base()}/messages/${messageId}/translation`,
      { to: 'en' },
      w.s.agentA1,
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ from: 'de', to: 'en', provider: 'deepl' });
    expect(r.json.text).toContain('good day');
    expect(r.json.withheld).toBeGreaterThanOrEqual(3);
    // The agent's (masked) view: tokens for name and phone, the masked IBAN, never the raw values.
    expect(r.json.text).toMatch(/\[PERSON:tok_[a-z0-9]{20}\]/);
    expect(r.json.text).toMatch(/\[PHONE:tok_[a-z0-9]{20}\]/);
    expect(r.json.text).toContain('**30 00');
    expect(r.json.text).not.toContain('Mustermann');
    const all = deepl.received.join('\n');
    for (const v of ['Erika', 'Mustermann', 'DE89', '1234567', 'tok_', '**']) expect(all).not.toContain(v);
    expect(all).toContain('<x i=\\"1\\"/>');
    expect(await auditCount(w, w.a, 'message.translate', conversationId)).toBe(1);
  });

  it('the customer language is detected; a reply is translated into it with PII withheld', async () => {
    const lang = await w.v.call('GET', `${base()}/language`, undefined, w.s.agentA1);
    expect(lang.json).toEqual({ conversationId, language: 'de' });
    const before = deepl.received.length;
    const r = await w.v.call(
      'POST',
      `${base()}/translated-reply`,
      { text: 'Thank you, we will call +49 30 1234 5678.', from: 'en' },
      w.s.agentA1,
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ from: 'en', to: 'de', provider: 'deepl' });
    expect(r.json.text).toContain('danke');
    const sent = deepl.received.slice(before).join('\n');
    expect(sent).not.toContain('1234 5678');
    expect(await auditCount(w, w.a, 'conversation.reply_translated', conversationId)).toBe(1);
  });

  it('out of queue and cross-tenant: 404, nothing sent', async () => {
    const before = deepl.received.length;
    const other = await w.v.call(
      'POST',
      `${base()}/messages/${messageId}/translation`,
      { to: 'en' },
      w.s.agentA2,
    );
    expect(other.status).toBe(404);
    const foreign = await w.v.call(
      'POST',
      `/api/v1/tenants/${slugs(w).slugB}/conversations/${conversationId}/messages/${messageId}/translation`,
      { to: 'en' },
      w.s.agentB,
    );
    expect(foreign.status).toBe(404);
    expect(deepl.received.length).toBe(before);
  });

  it('bad input is a 400 with a stable code', async () => {
    const r = await w.v.call(
      'POST',
      `${base()}/messages/${messageId}/translation`,
      { to: 'xx' },
      w.s.agentA1,
    );
    expect(r.status).toBe(400);
    expect(r.json.error?.code ?? r.json.code).toBe('invalid_input');
  });
});
