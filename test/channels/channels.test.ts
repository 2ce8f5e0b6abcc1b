// Widget (HTTP + WebSocket) and voice calls end to end over real sockets: each becomes a
// conversation an authorized agent reads and answers; card numbers never reach the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditCount,
  databaseBytes,
  ORIGIN,
  openWs,
  slugs,
  startWorld,
  type World,
  wsUrl,
} from '../conversations/fixture.ts';
import { testDbKind } from '../helpers/db.ts';

describe(`channels (${testDbKind})`, () => {
  let w: World;
  let A: string;
  const marker = `MARKER${Date.now()}QUOKKA`;
  const card = '4111 1111 1111 1111';

  beforeAll(async () => {
    w = await startWorld();
    A = slugs(w).slugA;
  });
  afterAll(() => w.v.close());

  it('a widget message becomes a conversation; the agent reads it redacted and the visitor gets the reply live', async () => {
    const first = await w.v.call(
      'POST',
      `/api/v1/widget/${A}/messages`,
      { text: `Hallo ${marker}, meine Karte ist ${card}`, clientMessageId: 'cm-000000001' },
      null,
      ORIGIN,
    );
    expect(first.status).toBe(201);
    expect(first.headers.get('access-control-allow-origin')).toBe(ORIGIN.origin);
    const { conversationId, messageId, visitorToken } = first.json;

    // A retry with the same clientMessageId returns the same ids and writes nothing new.
    const retry = await w.v.call(
      'POST',
      `/api/v1/widget/${A}/messages`,
      { text: `Hallo ${marker}, meine Karte ist ${card}`, clientMessageId: 'cm-000000001' },
      null,
      ORIGIN,
    );
    expect([200, 201]).toContain(retry.status);
    expect(retry.json.conversationId).toBe(conversationId);
    expect(retry.json.messageId).toBe(messageId);

    const visitor = await openWs(
      wsUrl(w, `/api/v1/widget/${A}/ws?token=${encodeURIComponent(visitorToken)}`),
      ORIGIN,
    );
    visitor.ws.send(JSON.stringify({ type: 'message', text: 'Noch da?', clientMessageId: 'cm-000000002' }));
    const ack = await visitor.next((m) => m.type === 'ack');
    expect(ack.conversationId).toBe(conversationId);

    const list = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/conversations?channel=chat`,
      undefined,
      w.s.agentA1,
    );
    expect(list.status).toBe(200);
    expect(list.json.items.map((c: { id: string }) => c.id)).toContain(conversationId);

    const open = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/conversations/${conversationId}`,
      undefined,
      w.s.agentA1,
    );
    expect(open.status).toBe(200);
    expect(open.json.messages).toHaveLength(2);
    const text = open.json.messages[0].text as string;
    expect(text).toContain('[PAYMENT_CARD]');
    expect(text).not.toContain('4111');
    expect(open.text).not.toMatch(/4111 ?1111/);
    expect(open.headers.get('content-type')).toMatch(/application\/json/);

    const reply = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/conversations/${conversationId}/messages`,
      { text: 'Bitte keine Kartennummern senden.' },
      w.s.agentA1,
    );
    expect(reply.status).toBe(201);
    const pushed = await visitor.next((m) => m.type === 'message');
    expect(pushed.text).toBe('Bitte keine Kartennummern senden.');
    expect(pushed.messageId).toBe(reply.json.messageId);
    visitor.ws.close();

    const history = await w.v.call('GET', `/api/v1/widget/${A}/messages`, undefined, null, {
      ...ORIGIN,
      authorization: `Bearer ${visitorToken}`,
    });
    expect(history.json.messages.map((m: { author: string }) => m.author)).toEqual([
      'visitor',
      'visitor',
      'agent',
    ]);
  });

  it('refuses foreign and missing origins, forged tokens, and foreign-tenant visitor tokens', async () => {
    const body = { text: 'hi', clientMessageId: 'cm-000000010' };
    expect(
      (await w.v.call('POST', `/api/v1/widget/${A}/messages`, body, null, { origin: 'https://evil.example' }))
        .status,
    ).toBe(403);
    expect((await w.v.call('POST', `/api/v1/widget/${A}/messages`, body)).status).toBe(403);
    expect(
      (await w.v.call('POST', `/api/v1/widget/${A}/messages`, { ...body, visitorToken: 'x.y' }, null, ORIGIN))
        .status,
    ).toBe(401);
    const b = await w.v.call('POST', `/api/v1/widget/${slugs(w).slugB}/messages`, body, null, ORIGIN);
    expect(b.status).toBe(201);
    const cross = await w.v.call(
      'POST',
      `/api/v1/widget/${A}/messages`,
      { ...body, visitorToken: b.json.visitorToken },
      null,
      ORIGIN,
    );
    expect(cross.status).toBe(401);
    await expect(
      openWs(wsUrl(w, `/api/v1/widget/${A}/ws?token=${encodeURIComponent(b.json.visitorToken)}`), ORIGIN),
    ).rejects.toThrow(/401/);
    await expect(
      openWs(wsUrl(w, `/api/v1/widget/${A}/ws?token=x`), { origin: 'https://evil.example' }),
    ).rejects.toThrow(/403/);
  });

  it('serves the widget script as JavaScript without eval or innerHTML', async () => {
    const r = await w.v.call('GET', `/widget/${A}.js`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/javascript/);
    expect(r.text).not.toMatch(/eval\(|innerHTML|new Function/);
    expect((await w.v.call('GET', '/widget/no-such-tenant.js')).status).toBe(404);
  });

  it('a voice call with a spoken card number becomes a readable, redacted transcript', async () => {
    const auth = { authorization: `Bearer ${w.voiceToken}` };
    const call = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/calls`,
      { from: '+49 30 23125 111', to: '+49 30 23125 999', direction: 'inbound' },
      null,
      auth,
    );
    expect(call.status).toBe(201);
    const { callId, conversationId } = call.json;
    // Recording before consent: refused, nothing stored.
    const early = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/calls/${callId}/recording`,
      { ref: 's3://r/1.opus' },
      null,
      auth,
    );
    expect(early.status).toBe(409);
    expect(
      (
        await w.v.call(
          'POST',
          `/api/v1/tenants/${A}/calls/${callId}/consent`,
          { consent: 'denied', method: 'ivr' },
          null,
          auth,
        )
      ).status,
    ).toBe(200);
    const seg = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/calls/${callId}/transcript`,
      {
        segments: [
          {
            seq: 0,
            speaker: 'customer',
            text: `Ich bin ${marker} und zahle mit Karte vier eins eins eins eins eins eins eins eins eins eins eins eins eins eins eins`,
            startMs: 0,
            endMs: 5000,
          },
          {
            seq: 1,
            speaker: 'agent',
            text: 'Bitte nennen Sie keine Kartennummer.',
            startMs: 5000,
            endMs: 8000,
          },
        ],
      },
      null,
      auth,
    );
    expect(seg.status).toBe(201);
    const again = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/calls/${callId}/transcript`,
      { segments: [{ seq: 1, speaker: 'agent', text: 'Bitte nennen Sie keine Kartennummer.' }] },
      null,
      auth,
    );
    expect(again.json.segments[0].created).toBe(false);
    const end = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/calls/${callId}/end`,
      { recordingRef: 's3://r/1.opus' },
      null,
      auth,
    );
    expect(end.status).toBe(409);
    expect((await w.v.call('POST', `/api/v1/tenants/${A}/calls/${callId}/end`, {}, null, auth)).status).toBe(
      200,
    );

    const open = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/conversations/${conversationId}`,
      undefined,
      w.s.agentA1,
    );
    expect(open.status).toBe(200);
    expect(open.json.channel).toBe('voice');
    expect(open.json.call.hasRecording).toBe(false);
    expect(open.json.messages).toHaveLength(2);
    expect(open.json.messages[0].text).toContain('[PAYMENT_CARD]');
    expect(open.json.messages[0].text).not.toMatch(/eins eins eins eins eins/);
    // A call cannot be answered in writing.
    expect(
      (
        await w.v.call(
          'POST',
          `/api/v1/tenants/${A}/conversations/${conversationId}/messages`,
          { text: 'hallo' },
          w.s.agentA1,
        )
      ).status,
    ).toBe(409);
    // A token without the scope, or for another tenant, is refused.
    expect(
      (
        await w.v.call(
          'POST',
          `/api/v1/tenants/${slugs(w).slugB}/calls`,
          { from: '+49 30 23125 111', to: '+49 30 23125 999', direction: 'inbound' },
          null,
          auth,
        )
      ).status,
    ).toBe(401);
  });

  it('recording is kept with granted consent', async () => {
    const auth = { authorization: `Bearer ${w.voiceToken}` };
    const call = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/calls`,
      { from: '+49 30 23125 112', to: '+49 30 23125 999', direction: 'inbound', externalId: 'pbx-42' },
      null,
      auth,
    );
    const twin = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/calls`,
      { from: '+49 30 23125 112', to: '+49 30 23125 999', direction: 'inbound', externalId: 'pbx-42' },
      null,
      auth,
    );
    expect(twin.json.callId).toBe(call.json.callId);
    await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/calls/${call.json.callId}/consent`,
      { consent: 'granted', method: 'agent' },
      null,
      auth,
    );
    const end = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/calls/${call.json.callId}/end`,
      { recordingRef: 's3://r/2.opus' },
      null,
      auth,
    );
    expect(end.status).toBe(200);
    expect(end.json.hasRecording).toBe(true);
    expect(await auditCount(w, w.a, 'call.recording', call.json.callId)).toBe(1);
  });

  it('the database holds neither the card numbers nor the marker text', async () => {
    const bytes = await databaseBytes(w);
    expect(bytes.length).toBeGreaterThan(1000);
    for (const needle of [marker, '4111111111111111', card, 's3://r/2.opus'])
      expect(bytes.includes(Buffer.from(needle)), needle).toBe(false);
  });
});
