// One-time codes (e-mail through a real SMTP relay, SMS through a real HTTP gateway), signed-in
// chat visitors, the contact-change guard, the security timeline and the monitoring alert on a
// locked verification, on a real Vigil.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import { signIdentityToken } from '../../src/verification/identity.ts';
import { auditCount, ORIGIN, type World } from '../conversations/fixture.ts';
import type { Res, Session } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { type Gateways, openCall, startGateways, startPaymentsWorld, waitFor } from './world.ts';

describe(`verification factors (${testDbKind})`, () => {
  let g: Gateways;
  let w: World & { slugA: string; slugB: string };
  let A: string;
  let admin: Session;
  let customerId: string;
  const email = 'nora.code@example.org';
  const phone = '+49 30 555 0199';
  const responses: Res[] = [];
  const call = async (method: string, path: string, body?: unknown, s: Session | null = w.s.agentA1) => {
    const r = await w.v.call(method, path, body, s);
    responses.push(r);
    return r;
  };
  const vpath = (conv: string, tail = '') => `/api/v1/tenants/${A}/conversations/${conv}/verification${tail}`;
  const attempt = (conv: string, factor: string, answer?: string) =>
    call('POST', vpath(conv, '/attempts'), answer === undefined ? { factor } : { factor, answer });
  const setPolicy = (policy: Record<string, unknown>) =>
    call('PUT', `/api/v1/tenants/${A}/settings/verification-policy`, { policy }, admin);
  const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1] ?? '';

  beforeAll(async () => {
    g = await startGateways();
    w = await startPaymentsWorld(g);
    A = w.slugA;
    admin = await w.v.login(await w.v.makeUser([{ role: 'tenant_admin', tenant: A }]));
    const c = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/customers`,
      {
        name: 'Nora Code',
        emails: [email],
        phones: [phone],
        dateOfBirth: '1979-11-30',
        customerNumber: 'NC-1001',
        address: { street: 'Lindenweg 3', postalCode: '80331', city: 'München', country: 'DE' },
      },
      w.s.agentA1,
    );
    expect(c.status).toBe(201);
    customerId = c.json.id;
    const p = await setPolicy({
      factors: ['date_of_birth', 'postcode', 'customer_number', 'one_time_code', 'signed_in_visitor'],
      required: 2,
      maxAttempts: 6,
    });
    expect(p.status).toBe(200);
  });
  afterAll(async () => {
    await w.v.close();
    await g.close();
  });

  it('an e-mail code goes through the relay to the address on file, is hashed at rest and works once', async () => {
    const { conversationId: conv } = await openCall(w, phone);
    const sent = await call('POST', vpath(conv, '/codes'), { channel: 'email' });
    expect(sent.status).toBe(202);
    expect(sent.json).toMatchObject({ channel: 'email', sentTo: 'n***@e***.org' });
    const mail = await waitFor(async () => g.mail.find((m) => m.to && JSON.stringify(m.to).includes(email)));
    const code = codeIn(mail.text ?? '');
    expect(code).toMatch(/^\d{6}$/);
    // The agent's response carries no code; the database holds only an HMAC.
    expect(sent.text).not.toContain(code);
    const stored = await w.v.core.db.withOwner((tx) =>
      rows<{ t: string }>(
        tx,
        sql`select v::text as t from verification_codes v where conversation_id = ${conv}`,
      ),
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]!.t).not.toContain(code);

    const wrong = code === '000000' ? '000001' : '000000';
    expect((await attempt(conv, 'one_time_code', wrong)).json).toMatchObject({ result: 'fail' });
    expect((await attempt(conv, 'one_time_code', code)).json).toMatchObject({
      result: 'pass',
      verified: false,
    });
    // Single use: the consumed code is gone (409, not counted as a failure).
    const again = await attempt(conv, 'one_time_code', code);
    expect(again.status).toBe(409);
    expect((await attempt(conv, 'date_of_birth', '30.11.1979')).json).toMatchObject({ verified: true });
    const st = await call('GET', vpath(conv));
    expect(st.json).toMatchObject({ verified: true, failedAttempts: 1 });
    expect(st.json.passedFactors.sort()).toEqual(['date_of_birth', 'one_time_code']);
    expect(await auditCount(w, w.a, 'verification.code.sent', conv)).toBe(1);
  });

  it('an SMS code goes to the phone on file through the signed gateway; a code dies after three misses', async () => {
    const { conversationId: conv } = await openCall(w, phone);
    const before = g.sms.length;
    const sent = await call('POST', vpath(conv, '/codes'), { channel: 'sms' });
    expect(sent.status).toBe(202);
    expect(sent.json.sentTo).toBe('***99');
    const sms = await waitFor(async () => g.sms[before]);
    expect(sms).toMatchObject({ to: phone, signatureOk: true });
    const code = codeIn(sms.text);
    const wrong = code === '111111' ? '222222' : '111111';
    for (let i = 0; i < 3; i++)
      expect((await attempt(conv, 'one_time_code', wrong)).json.result).toBe('fail');
    // The right code no longer works: the code was ended after its third miss.
    expect((await attempt(conv, 'one_time_code', code)).status).toBe(409);
    // An expired code does not work either.
    const s2 = await call('POST', vpath(conv, '/codes'), { channel: 'sms' });
    expect(s2.status).toBe(202);
    const code2 = codeIn((await waitFor(async () => g.sms[before + 1])).text);
    await w.v.core.db.withOwner((tx) =>
      tx.execute(
        sql`update verification_codes set expires_at = now() - interval '1 second' where conversation_id = ${conv}`,
      ),
    );
    expect((await attempt(conv, 'one_time_code', code2)).status).toBe(409);
    // At most three codes per conversation per 15 minutes.
    await call('POST', vpath(conv, '/codes'), { channel: 'sms' });
    const fourth = await call('POST', vpath(conv, '/codes'), { channel: 'sms' });
    expect(fourth.status).toBe(429);
  });

  it('a failing SMS gateway answers 503 and the undelivered code is void', async () => {
    const { conversationId: conv } = await openCall(w, phone);
    g.smsDown = true;
    try {
      const r = await call('POST', vpath(conv, '/codes'), { channel: 'sms' });
      expect(r.status).toBe(503);
      expect(r.json.error.code).toBe('service_unavailable');
    } finally {
      g.smsDown = false;
    }
    const [live] = await w.v.core.db.withOwner((tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from verification_codes where conversation_id = ${conv} and expires_at > now()`,
      ),
    );
    expect(live!.n).toBe(0);
  });

  it('a signed-in chat visitor counts as a factor only for the customer the site signed for', async () => {
    const rot = await call('POST', `/api/v1/tenants/${A}/settings/visitor-identity-secret`, undefined, admin);
    expect(rot.status).toBe(201);
    const secret = Buffer.from(rot.json.secret, 'base64url');
    expect(secret.length).toBe(32);
    expect((await call('POST', `/api/v1/tenants/${A}/settings/visitor-identity-secret`)).status).toBe(403);

    const m = await w.v.call(
      'POST',
      `/api/v1/widget/${A}/messages`,
      { text: 'Hallo, ich bin angemeldet', clientMessageId: 'ident-00000001' },
      null,
      ORIGIN,
    );
    expect(m.status).toBe(201);
    const conv = m.json.conversationId as string;
    const visitorToken = m.json.visitorToken as string;
    // Nothing presented yet: nothing to compare (409), not a failure.
    expect((await attempt(conv, 'signed_in_visitor')).status).toBe(409);

    const exp = Math.floor(Date.now() / 1000) + 600;
    const present = (identityToken: string) =>
      w.v.call('POST', `/api/v1/widget/${A}/identity`, { visitorToken, identityToken }, null, ORIGIN);
    const forged = signIdentityToken(Buffer.alloc(32, 7), { sub: 'NC-1001', aud: `vigil:${A}`, exp });
    expect((await present(forged)).status).toBe(401);
    const otherTenant = signIdentityToken(secret, { sub: 'NC-1001', aud: `vigil:${w.slugB}`, exp });
    expect((await present(otherTenant)).status).toBe(401);
    const expired = signIdentityToken(secret, { sub: 'NC-1001', aud: `vigil:${A}`, exp: exp - 1200 });
    expect((await present(expired)).status).toBe(401);
    const tooLong = signIdentityToken(secret, { sub: 'NC-1001', aud: `vigil:${A}`, exp: exp + 86_400 });
    expect((await present(tooLong)).status).toBe(401);
    expect(
      (await present(signIdentityToken(secret, { sub: 'NC-1001', aud: `vigil:${A}`, exp }))).status,
    ).toBe(200);

    // The chat's customer is still anonymous: the claim names someone else → fail, counted.
    const f = await attempt(conv, 'signed_in_visitor');
    expect(f.json).toMatchObject({ result: 'fail' });
    // The agent links the chat to the customer (here by customer number on the chat's record).
    const chatCustomer = (await call('GET', `/api/v1/tenants/${A}/conversations/${conv}`)).json.customerId;
    expect(
      (await call('PATCH', `/api/v1/tenants/${A}/customers/${chatCustomer}`, { customerNumber: 'nc-1001' }))
        .status,
    ).toBe(200);
    const p = await attempt(conv, 'signed_in_visitor');
    expect(p.json).toMatchObject({ result: 'pass' });
    expect(await auditCount(w, w.a, 'verification.visitor_identity', conv)).toBe(5);
    // Neither the token nor the claim is stored in clear.
    const stored = await w.v.core.db.withOwner((tx) =>
      rows<{ t: string }>(tx, sql`select i::text as t from conversation_visitor_identities i`),
    );
    expect(stored.map((x) => x.t).join()).not.toMatch(/NC-1001/i);
  });

  it('changing e-mail, phone or address needs a verification passed in that conversation', async () => {
    const patch = (body: unknown, conv?: string) =>
      call(
        'PATCH',
        `/api/v1/tenants/${A}/customers/${customerId}${conv ? `?conversationId=${conv}` : ''}`,
        body,
      );
    const noConv = await patch({ emails: ['attacker@example.net'] });
    expect(noConv.status).toBe(403);
    expect(noConv.json.error.code).toBe('verification_required');
    const { conversationId: conv } = await openCall(w, phone);
    for (const body of [
      { emails: ['attacker@example.net'] },
      { phones: ['+1 555 0100'] },
      { address: null },
    ]) {
      const r = await patch(body, conv);
      expect(r.status).toBe(403);
      expect(r.json.error.code).toBe('verification_required');
    }
    // Other fields, and contact data sent back unchanged, need no verification.
    expect((await patch({ notes: 'prefers e-mail' })).status).toBe(200);
    expect((await patch({ emails: [email], phones: [phone] })).status).toBe(200);
    await attempt(conv, 'date_of_birth', '1979-11-30');
    await attempt(conv, 'postcode', '80 331');
    const ok = await patch({ emails: [email, 'nora.new@example.org'] }, conv);
    expect(ok.status).toBe(200);
    expect(ok.json.emails).toEqual([email, 'nora.new@example.org']);
    // The verification of one conversation does not carry to another.
    const { conversationId: other } = await openCall(w, phone);
    expect((await patch({ phones: ['+1 555 0100'] }, other)).status).toBe(403);
    // First capture on a profile without contact data (an anonymous chat) is not a change.
    const m = await w.v.call(
      'POST',
      `/api/v1/widget/${A}/messages`,
      { text: 'Hallo', clientMessageId: 'first-capture-01' },
      null,
      ORIGIN,
    );
    const anon = (await call('GET', `/api/v1/tenants/${A}/conversations/${m.json.conversationId}`)).json
      .customerId;
    const first = await call('PATCH', `/api/v1/tenants/${A}/customers/${anon}`, {
      emails: ['anon@example.org'],
    });
    expect(first.status).toBe(200);
    expect(
      (await call('PATCH', `/api/v1/tenants/${A}/customers/${anon}`, { emails: ['other@example.org'] })).json
        .error.code,
    ).toBe('verification_required');
  });

  it('a locked verification raises an alert and everything shows on the conversation timeline', async () => {
    expect((await setPolicy({ maxAttempts: 3 })).status).toBe(200);
    const { conversationId: conv } = await openCall(w, phone);
    for (const a of ['01.01.1970', '99999', 'XX-1'])
      await attempt(
        conv,
        a.includes('.') ? 'date_of_birth' : a === '99999' ? 'postcode' : 'customer_number',
        a,
      );
    const blocked = await attempt(conv, 'date_of_birth', '30.11.1979');
    expect(blocked.status).toBe(429);
    const alert = await waitFor(async () => {
      const r = await w.v.app.monitor.listAlerts(w.a, { ruleId: 'verification_locked' });
      return r.items.find((x) => x.subject.id === w.agentA1.id);
    });
    expect(alert.severity).toBe('medium');
    expect(await auditCount(w, w.a, 'verification.locked', conv)).toBe(1);
    const tl = await call('GET', `/api/v1/tenants/${A}/conversations/${conv}/timeline`);
    expect(tl.status).toBe(200);
    expect(tl.json.events.map((e: { type: string }) => e.type)).toEqual([
      'verification.attempt',
      'verification.attempt',
      'verification.attempt',
      'verification.locked',
    ]);
    expect(tl.json.events[0].meta).toEqual({ factor: 'date_of_birth', result: 'fail' });
    // Out of scope: another queue's agent gets 404 for the timeline and the code endpoint.
    expect(
      (await call('GET', `/api/v1/tenants/${A}/conversations/${conv}/timeline`, undefined, w.s.agentA2))
        .status,
    ).toBe(404);
    expect((await call('POST', vpath(conv, '/codes'), { channel: 'email' }, w.s.agentA2)).status).toBe(404);
    // No response ever carried a stored value.
    for (const r of responses) expect(r.text).not.toMatch(/1979-11-30|80331|Lindenweg/);
  });
});
