// Ending a call through the telephony API: the answer says whether a recording is stored (also
// one stored during the call), and a keypad payment still pending is cancelled with its recording
// pause ended.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { World } from '../conversations/fixture.ts';
import { testDbKind } from '../helpers/db.ts';
import { type Gateways, openCall, startGateways, startPaymentsWorld } from '../verification/world.ts';

describe(`ending a call (${testDbKind})`, () => {
  let g: Gateways;
  let w: World & { slugA: string; slugB: string };
  const telephony = (path: string, body?: unknown) =>
    w.v.call(body === undefined ? 'GET' : 'POST', `/api/v1/tenants/${w.slugA}/calls/${path}`, body, null, {
      authorization: `Bearer ${w.voiceToken}`,
    });
  beforeAll(async () => {
    g = await startGateways();
    w = await startPaymentsWorld(g);
  });
  afterAll(async () => {
    await w.v.close();
    await g.close();
  });

  it('reports hasRecording for a recording stored during the call, and false without one', async () => {
    const { callId } = await openCall(w, '+49 30 555 0100');
    expect((await telephony(`${callId}/consent`, { consent: 'granted', method: 'ivr' })).status).toBe(200);
    expect((await telephony(`${callId}/recording`, { ref: 's3://rec/call-end-1' })).status).toBe(200);
    const end = await telephony(`${callId}/end`, {});
    expect(end.status).toBe(200);
    expect(end.json.hasRecording).toBe(true);
    const other = await openCall(w, '+49 30 555 0101');
    expect((await telephony(`${other.callId}/end`, {})).json.hasRecording).toBe(false);
  });

  it('a keypad payment pending at hang-up is cancelled and the recording pause ends', async () => {
    const { callId, conversationId } = await openCall(w, '+49 30 555 0102');
    const pay = `/api/v1/tenants/${w.slugA}/conversations/${conversationId}/payments`;
    const created = await w.v.call(
      'POST',
      pay,
      { amountMinor: 100, currency: 'EUR', reference: 'X', method: 'dtmf' },
      w.s.agentA1,
    );
    expect(created.status).toBe(201);
    expect((await telephony(`${callId}/capture`)).json.recordingPaused).toBe(true);
    expect((await telephony(`${callId}/end`, {})).status).toBe(200);
    const [p] = (await w.v.call('GET', pay, undefined, w.s.agentA1)).json.payments;
    expect(p).toMatchObject({ id: created.json.id, status: 'cancelled', recordingPaused: false });
    expect((await telephony(`${callId}/capture`)).json).toMatchObject({ recordingPaused: false });
  });
});
