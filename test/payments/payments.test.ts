// Payment capture over HTTP on a real Vigil: link payments on the hosted page (form posts),
// keypad (DTMF) payments from the telephony integration, declines, single use, expiry,
// recording paused during capture, and afterwards no card number or CVC anywhere.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import { auditCount, ORIGIN, openWs, type World, wsUrl } from '../conversations/fixture.ts';
import type { Res, Session } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import {
  type Gateways,
  openCall,
  startGateways,
  startPaymentsWorld,
  waitFor,
} from '../verification/world.ts';
import { findCardTraces, recordScan } from './scan.ts';

const GOOD = '4242424242424242';
const DECLINE = '4000000000000002';
const FUNDS = '4000000000009995';
const MASTER = '5555555555554444';
const AMEX = '378282246310005';
const AMEX_CVC = '7391';

describe(`payment capture (${testDbKind})`, () => {
  let g: Gateways;
  let w: World & { slugA: string; slugB: string };
  let A: string;
  const agentResponses: Res[] = [];
  const call = async (method: string, path: string, body?: unknown, s: Session | null = w.s.agentA1) => {
    const r = await w.v.call(method, path, body, s);
    agentResponses.push(r);
    return r;
  };
  const pay = (conv: string) => `/api/v1/tenants/${A}/conversations/${conv}/payments`;
  const telephony = (path: string, body?: unknown, token = w.voiceToken) =>
    w.v.call(body === undefined ? 'GET' : 'POST', `/api/v1/tenants/${A}/calls/${path}`, body, null, {
      authorization: `Bearer ${token}`,
    });
  const postForm = async (link: string, fields: Record<string, string>) => {
    const r = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    return { status: r.status, text: await r.text(), headers: r.headers };
  };
  const chat = async (id: string) => {
    const m = await w.v.call(
      'POST',
      `/api/v1/widget/${A}/messages`,
      { text: 'Ich möchte meine Rechnung bezahlen', clientMessageId: `pay-chat-${id}` },
      null,
      ORIGIN,
    );
    expect(m.status).toBe(201);
    return { conv: m.json.conversationId as string, visitorToken: m.json.visitorToken as string };
  };

  beforeAll(async () => {
    g = await startGateways();
    w = await startPaymentsWorld(g);
    A = w.slugA;
  });
  afterAll(async () => {
    await w.v.close();
    await g.close();
  });

  it('a link payment: sent into the chat, paid once on the hosted page, the agent sees brand and last four', async () => {
    const { conv, visitorToken } = await chat('00000001');
    const socket = await openWs(
      wsUrl(w, `/api/v1/widget/${A}/ws?token=${encodeURIComponent(visitorToken)}`),
      ORIGIN,
    );
    const c = await call('POST', pay(conv), {
      amountMinor: 4990,
      currency: 'EUR',
      reference: 'INV-2026-0042',
      method: 'link',
      sendToCustomer: true,
    });
    expect(c.status).toBe(201);
    expect(c.json).toMatchObject({
      status: 'pending',
      method: 'link',
      recordingPaused: false,
      sentToCustomer: true,
      sentVia: 'chat',
    });
    const link = c.json.link as string;
    expect(link).toMatch(new RegExp(`/pay/${A}/[A-Za-z0-9_-]{43}$`));
    // The customer got the link live in the chat; the transcript never holds it (a bearer secret).
    const live = await socket.next((m) => m.type === 'message' && String(m.text).includes(link));
    expect(live.text).toContain('49.90 EUR');
    socket.ws.close();
    const hist = await w.v.call('GET', `/api/v1/widget/${A}/messages`, undefined, null, {
      ...ORIGIN,
      authorization: `Bearer ${visitorToken}`,
    });
    expect(hist.text).not.toContain(link.split('/').pop());

    const page = await fetch(link);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('49.90 EUR');
    expect(html).toContain('INV-2026-0042');
    expect(html).not.toMatch(/<script>|<style>|\son\w+=|style=/i);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(page.headers.get('cache-control')).toBe('no-store');

    // A typo does not use up the link.
    const typo = await postForm(link, { number: '4242 4242 4242 4241', expiry: '12/30', cvc: '123' });
    expect(typo.status).toBe(422);
    expect(typo.text).toContain('card number is not valid');
    const ok = await postForm(link, { number: '4242 4242 4242 4242', expiry: '12/30', cvc: '123' });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('Payment received');
    expect(ok.text).toContain('ending in 4242');
    // Single use.
    expect((await postForm(link, { number: GOOD, expiry: '12/30', cvc: '123' })).status).toBe(410);
    expect((await fetch(link)).status).toBe(410);

    const v = await call('GET', `${pay(conv)}/${c.json.id}`);
    expect(v.json).toMatchObject({
      status: 'succeeded',
      card: { brand: 'visa', last4: '4242' },
      declineCode: null,
    });
    expect(await auditCount(w, w.a, 'payment.capture', c.json.id)).toBe(1);
    const tl = await call('GET', `/api/v1/tenants/${A}/conversations/${conv}/timeline`);
    expect(tl.json.events.map((e: { type: string }) => e.type)).toEqual([
      'payment.requested',
      'payment.link_sent',
      'payment.succeeded',
    ]);
  });

  it('on a call the link goes to the e-mail address on file through the relay', async () => {
    const cust = await call('POST', `/api/v1/tenants/${A}/customers`, {
      name: 'Paul Payer',
      emails: ['paul.payer@example.org'],
      phones: ['+49 30 555 0177'],
    });
    expect(cust.status).toBe(201);
    const { conversationId: conv } = await openCall(w, '+49 30 555 0177');
    const c = await call('POST', pay(conv), {
      amountMinor: 1999,
      currency: 'EUR',
      reference: 'INV-77',
      method: 'link',
      sendToCustomer: true,
    });
    expect(c.json).toMatchObject({ sentVia: 'email', recordingPaused: true });
    const mail = await waitFor(async () =>
      g.mail.find((m) => JSON.stringify(m.to).includes('paul.payer@example.org')),
    );
    expect(mail.text).toContain(c.json.link);
    expect(mail.text).toContain('19.99 EUR');
    expect((await postForm(c.json.link, { number: GOOD, expiry: '12/30', cvc: '123' })).status).toBe(200);
  });

  it('declines realistically; an unknown or forged link shows nothing', async () => {
    for (const [pan, code, text] of [
      [DECLINE, 'card_declined', 'The card was declined.'],
      [FUNDS, 'insufficient_funds', 'insufficient funds'],
    ] as const) {
      const { conv } = await chat(`dec-${pan.slice(-4)}`);
      const c = await call('POST', pay(conv), {
        amountMinor: 1200,
        currency: 'EUR',
        reference: 'ORD-7',
        method: 'link',
      });
      const r = await postForm(c.json.link, { number: pan, expiry: '01/29', cvc: '321' });
      expect(r.status).toBe(402);
      expect(r.text).toContain(text);
      const v = await call('GET', `${pay(conv)}/${c.json.id}`);
      expect(v.json).toMatchObject({ status: 'declined', declineCode: code, card: { last4: pan.slice(-4) } });
    }
    const bogus = `${w.v.url}/pay/${A}/${'x'.repeat(43)}`;
    expect((await fetch(bogus)).status).toBe(404);
    expect((await fetch(`${w.v.url}/pay/${w.slugB}/${'x'.repeat(43)}`)).status).toBe(404);
  });

  it('keypad capture on a call: recording paused, transcript refused, only the telephony token may post digits', async () => {
    const { callId, conversationId: conv } = await openCall(w, '+49 30 555 0142');
    expect(
      (await call('POST', pay(conv), { amountMinor: 100, currency: 'EUR', reference: 'X', method: 'dtmf' }))
        .status,
    ).toBe(201);
    const [p] = (await call('GET', pay(conv))).json.payments;
    expect(p).toMatchObject({ method: 'dtmf', status: 'pending', recordingPaused: true });
    expect((await telephony(`${callId}/capture`)).json).toMatchObject({
      recordingPaused: true,
      payment: { id: p.id, method: 'dtmf', amount: '1.00 EUR' },
    });
    // While paused, nothing the caller says may reach the transcript.
    const seg = await telephony(`${callId}/transcript`, {
      segments: [{ seq: 1, speaker: 'customer', text: 'vier zwei' }],
    });
    expect(seg.status).toBe(409);
    expect(seg.json.error.code).toBe('capture_in_progress');
    // The agent's session cannot post digits; neither can another tenant's token.
    const asAgent = await call('POST', `/api/v1/tenants/${A}/calls/${callId}/payments/${p.id}/dtmf`, {
      cardNumber: MASTER,
      expiry: '1230',
      cvc: '123',
    });
    expect(asAgent.status).toBe(403);
    // A keying mistake leaves the request pending.
    const typo = await telephony(`${callId}/payments/${p.id}/dtmf`, {
      cardNumber: '5555555555554440',
      expiry: '1230',
      cvc: '123',
    });
    expect(typo.json).toEqual({
      status: 'pending',
      problem: 'invalid_number',
      card: null,
      declineCode: null,
    });
    const ok = await telephony(`${callId}/payments/${p.id}/dtmf`, {
      cardNumber: MASTER,
      expiry: '1230',
      cvc: '123',
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({
      status: 'succeeded',
      problem: null,
      card: { brand: 'mastercard', last4: '4444' },
      declineCode: null,
    });
    // Single use: the same request cannot be charged twice.
    expect(
      (await telephony(`${callId}/payments/${p.id}/dtmf`, { cardNumber: MASTER, expiry: '1230', cvc: '123' }))
        .status,
    ).toBe(404);
    expect((await telephony(`${callId}/capture`)).json.recordingPaused).toBe(false);
    expect(
      (
        await telephony(`${callId}/transcript`, {
          segments: [{ seq: 2, speaker: 'customer', text: 'danke' }],
        })
      ).status,
    ).toBe(201);
    const tl = await call('GET', `/api/v1/tenants/${A}/conversations/${conv}/timeline`);
    expect(tl.json.events.map((e: { type: string }) => e.type)).toEqual([
      'payment.requested',
      'recording.paused',
      'payment.succeeded',
      'recording.resumed',
    ]);
    expect(await auditCount(w, w.a, 'call.recording.paused')).toBeGreaterThanOrEqual(1);

    // Amex with its four-digit CVC.
    const c2 = await call('POST', pay(conv), {
      amountMinor: 2500,
      currency: 'USD',
      reference: 'AMX-1',
      method: 'dtmf',
    });
    const amex = await telephony(`${callId}/payments/${c2.json.id}/dtmf`, {
      cardNumber: AMEX,
      expiry: '0931',
      cvc: AMEX_CVC,
    });
    expect(amex.json).toMatchObject({ status: 'succeeded', card: { brand: 'amex', last4: '0005' } });
  });

  it('refuses what does not fit: keypad on a chat, two pending at once, out-of-queue agents, other tenants', async () => {
    const { conv } = await chat('00000009');
    expect(
      (await call('POST', pay(conv), { amountMinor: 100, currency: 'EUR', reference: 'X', method: 'dtmf' }))
        .status,
    ).toBe(400);
    expect(
      (await call('POST', pay(conv), { amountMinor: 0, currency: 'EUR', reference: 'X', method: 'link' }))
        .status,
    ).toBe(400);
    expect(
      (await call('POST', pay(conv), { amountMinor: 100, currency: 'euro', reference: 'X', method: 'link' }))
        .status,
    ).toBe(400);
    expect(
      (
        await call('POST', pay(conv), {
          amountMinor: 100,
          currency: 'EUR',
          reference: '<script>',
          method: 'link',
        })
      ).status,
    ).toBe(400);
    const first = await call('POST', pay(conv), {
      amountMinor: 100,
      currency: 'EUR',
      reference: 'A-1',
      method: 'link',
    });
    expect(first.status).toBe(201);
    expect(
      (await call('POST', pay(conv), { amountMinor: 100, currency: 'EUR', reference: 'A-2', method: 'link' }))
        .status,
    ).toBe(409);
    expect((await call('GET', pay(conv), undefined, w.s.agentA2)).status).toBe(404);
    expect(
      (await call('GET', `/api/v1/tenants/${w.slugB}/conversations/${conv}/payments`, undefined, w.s.agentB))
        .status,
    ).toBe(404);
    // Cancel ends it; the link is dead.
    const x = await call('POST', `${pay(conv)}/${first.json.id}/cancel`);
    expect(x.json.status).toBe('cancelled');
    expect((await fetch(first.json.link)).status).toBe(410);
  });

  it('an unpaid request expires and a paused call resumes recording', async () => {
    const { callId, conversationId: conv } = await openCall(w, '+49 30 555 0143');
    const c = await call('POST', pay(conv), {
      amountMinor: 990,
      currency: 'EUR',
      reference: 'EXP-1',
      method: 'link',
    });
    expect(c.json.recordingPaused).toBe(true);
    await w.v.core.db.withOwner((tx) =>
      tx.execute(
        sql`update payment_requests set expires_at = now() - interval '1 second' where id = ${c.json.id}`,
      ),
    );
    expect((await call('GET', `${pay(conv)}/${c.json.id}`)).json).toMatchObject({
      status: 'expired',
      recordingPaused: false,
    });
    expect((await telephony(`${callId}/capture`)).json.recordingPaused).toBe(false);
    expect((await postForm(c.json.link, { number: GOOD, expiry: '12/30', cvc: '123' })).status).toBe(410);
  });

  it('the routes are described in the OpenAPI document', async () => {
    // Behind sign-in outside the demo (issue 20).
    expect((await w.v.call('GET', '/docs/json')).status).toBe(401);
    const docs = await w.v.call('GET', '/docs/json', undefined, w.s.agentA1);
    expect(docs.status).toBe(200);
    for (const path of [
      '/api/v1/tenants/{tenantSlug}/conversations/{conversationId}/payments',
      '/api/v1/tenants/{tenantSlug}/calls/{callId}/payments/{paymentId}/dtmf',
      '/api/v1/tenants/{tenantSlug}/conversations/{conversationId}/verification/codes',
      '/api/v1/tenants/{tenantSlug}/conversations/{conversationId}/timeline',
      '/api/v1/widget/{tenantSlug}/identity',
    ])
      expect(Object.keys(docs.json.paths)).toContain(path);
  });

  it('afterwards no card number and no CVC is in the database, the logs, the transcripts or any agent response', async () => {
    // The transcripts as the agent reads them.
    const convs = await w.v.core.db.withOwner((tx) =>
      rows<{ id: string }>(tx, sql`select id from conversations where tenant_id = ${w.a}`),
    );
    for (const c of convs)
      await call('GET', `/api/v1/tenants/${A}/conversations/${c.id}`, undefined, w.s.supA);
    const texts = agentResponses.map((r) => r.text);
    const scan = await findCardTraces(w, [GOOD, DECLINE, FUNDS, MASTER, AMEX], texts);
    expect(scan.dumpLength).toBeGreaterThan(10_000);
    expect(scan.logLines).toBeGreaterThan(20);
    recordScan('api', scan, texts.length);
    expect(scan.hits).toEqual([]);
    // CVCs: no CVC or card field anywhere in the dump, the logs or the responses; the Amex CVC is
    // in no log line, no response and no column of the tables capture writes (hex ciphertext
    // elsewhere can hold any four digits by chance, so those are not a meaningful place to grep).
    for (const hay of [scan.dump, scan.logs, texts.join('\n')])
      expect(hay).not.toMatch(/"cvc"|cvc=|"cardNumber"|expiry/i);
    const written = await w.v.core.db.withOwner((tx) =>
      rows<{ v: string }>(
        tx,
        sql`select p::text as v from payment_requests p union all select e::text from conversation_events e
            union all select meta::text from audit_events`,
      ),
    );
    // As a value of its own: not inside a uuid, hash, token or decimal fraction (a log line's
    // responseTime), where four digits occur by chance.
    const standalone = new RegExp(`(?<![0-9A-Za-z_-])(?<!\\d\\.)${AMEX_CVC}(?![0-9A-Za-z_-])`);
    for (const hay of [scan.logs, texts.join('\n'), written.map((x) => x.v).join('\n')])
      expect(hay).not.toMatch(standalone);
    // What is kept: brand, last four, the provider's token.
    const kept = await w.v.core.db.withOwner((tx) =>
      rows<{ card_last4: string | null; provider_token: string | null }>(
        tx,
        sql`select card_last4, provider_token from payment_requests where status = 'succeeded'`,
      ),
    );
    expect(kept.length).toBe(4);
    for (const k of kept) expect(k.provider_token).toMatch(/^tok_test_/);
  });
});
