// Caller verification over HTTP: masked fields stay masked until the caller answers enough
// knowledge factors; failed attempts are counted and audited, the limit locks the conversation at
// once (verification.locked) and refuses further attempts (429, verification.blocked), correct
// answers unlock date of birth and full address for that conversation only, and no response ever
// carries the stored values.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import { auditCount, slugs, startWorld, type World } from '../conversations/fixture.ts';
import type { Res, Session } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { waitFor } from './world.ts';

describe(`caller verification (${testDbKind})`, () => {
  let w: World;
  let A: string;
  let customerId: string;
  let admin: Session;
  const phone = '+49 30 23125 777';
  const profile = {
    name: 'Lena Prüfung',
    phones: [phone],
    address: { street: 'Birkenallee 12', postalCode: '10117', city: 'Berlin', country: 'DE' },
    dateOfBirth: '1985-02-01',
    customerNumber: 'VF-40123',
  };
  const responses: Res[] = [];
  const call = async (method: string, path: string, body?: unknown, s: Session | null = w.s.agentA1) => {
    const r = await w.v.call(method, path, body, s);
    responses.push(r);
    return r;
  };
  const openCall = async () => {
    const r = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/calls`,
      { from: phone, to: '+49 30 23125 999', direction: 'inbound', queueId: w.queueA1 },
      null,
      { authorization: `Bearer ${w.voiceToken}` },
    );
    expect(r.status).toBe(201);
    return r.json.conversationId as string;
  };
  const attempt = (conv: string, factor: string, answer: string, s?: Session) =>
    call('POST', `/api/v1/tenants/${A}/conversations/${conv}/verification/attempts`, { factor, answer }, s);
  const profileIn = (conv?: string, s?: Session) =>
    call(
      'GET',
      `/api/v1/tenants/${A}/customers/${customerId}${conv ? `?conversationId=${conv}` : ''}`,
      undefined,
      s,
    );

  beforeAll(async () => {
    w = await startWorld();
    A = slugs(w).slugA;
    const adminUser = await w.v.makeUser([{ role: 'tenant_admin', tenant: A }]);
    admin = await w.v.login(adminUser);
    const c = await w.v.call('POST', `/api/v1/tenants/${A}/customers`, profile, w.s.agentA1);
    expect(c.status).toBe(201);
    customerId = c.json.id;
  });
  afterAll(() => w.v.close());

  it('tenant admins read and set the policy; agents may not', async () => {
    const path = `/api/v1/tenants/${A}/settings/verification-policy`;
    const g = await call('GET', path, undefined, admin);
    expect(g.status).toBe(200);
    expect(g.json.policy).toEqual({
      factors: ['date_of_birth', 'postcode', 'customer_number'],
      required: 2,
      maxAttempts: 3,
      validityMinutes: 30,
      unlocks: ['dateOfBirth', 'address'],
    });
    expect((await call('PUT', path, { policy: { required: 2 } }, w.s.agentA1)).status).toBe(403);
    expect((await call('PUT', path, { policy: { factors: ['postcode'], required: 2 } }, admin)).status).toBe(
      400,
    );
    expect((await call('PUT', path, { policy: { factors: ['iban'] } }, admin)).status).toBe(400);
    const p = await call('PUT', path, { policy: { validityMinutes: 20 } }, admin);
    expect(p.status).toBe(200);
    expect(p.json.policy.validityMinutes).toBe(20);
    expect(await auditCount(w, w.a, 'settings.verification_policy.update')).toBe(1);
  });

  it('end to end: masked → refused and counted → locked (429, audited, alert) → fresh conversation unlocks only itself', async () => {
    const conv1 = await openCall();

    // 1. Without verification the agent sees the masked date of birth and only the city.
    const masked = await profileIn(conv1);
    expect(masked.status).toBe(200);
    expect(masked.json.dateOfBirth).toBe('**.**.1985');
    expect(masked.json.address).toEqual({ city: 'Berlin' });

    // 2. Wrong answers are refused and counted.
    const f1 = await attempt(conv1, 'date_of_birth', '02.01.1985');
    expect(f1.status).toBe(200);
    expect(f1.json).toEqual({ result: 'fail', verified: false, attemptsLeft: 2 });
    const f2 = await attempt(conv1, 'postcode', '10115');
    expect(f2.json).toEqual({ result: 'fail', verified: false, attemptsLeft: 1 });
    // A factor outside the policy is invalid input, not an attempt.
    expect((await attempt(conv1, 'iban', 'DE00')).status).toBe(400);
    const f3 = await attempt(conv1, 'customer_number', 'VF-40124');
    expect(f3.json).toEqual({ result: 'fail', verified: false, attemptsLeft: 0 });

    // 3. At the limit, even a correct answer is blocked, and the lock is audited.
    const blocked = await attempt(conv1, 'date_of_birth', '01.02.1985');
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.code).toBe('rate_limited');
    const st1 = await call('GET', `/api/v1/tenants/${A}/conversations/${conv1}/verification`);
    expect(st1.status).toBe(200);
    expect(st1.json).toMatchObject({ verified: false, locked: true, failedAttempts: 3, attemptsLeft: 0 });
    expect((await profileIn(conv1)).json.dateOfBirth).toBe('**.**.1985');

    const events = await w.v.core.db.withOwner((tx) =>
      rows<{ action: string; outcome: string; meta: Record<string, unknown> }>(
        tx,
        sql`select action, outcome, meta from audit_events where tenant_id = ${w.a}
            and resource_id = ${conv1} and action like 'verification.%' order by seq`,
      ),
    );
    expect(events.map((e) => [e.action, e.outcome, e.meta.result ?? null])).toEqual([
      ['verification.attempt', 'failure', 'fail'],
      ['verification.attempt', 'failure', 'fail'],
      ['verification.attempt', 'failure', 'fail'],
      ['verification.locked', 'denied', null],
      ['verification.blocked', 'denied', null],
    ]);
    expect(events[0]!.meta).toEqual({ factor: 'date_of_birth', result: 'fail' });
    // The lock raised an insider-monitoring alert on the agent who made the attempts.
    const alert = await waitFor(async () => {
      const r = await w.v.app.monitor.listAlerts(w.a, { ruleId: 'verification_locked' });
      return r.items.find((x) => x.subject.id === w.agentA1.id);
    });
    expect(alert).toMatchObject({ ruleId: 'verification_locked', severity: 'medium' });
    // The audit log never holds the answers.
    expect(JSON.stringify(events)).not.toMatch(/1985|10115|VF-40124/);

    // 4. A fresh conversation: correct answers in other spellings verify the caller.
    const conv2 = await openCall();
    const p1 = await attempt(conv2, 'date_of_birth', ' 1.2.1985 ');
    expect(p1.json).toEqual({ result: 'pass', verified: false, attemptsLeft: 3 });
    const p2 = await attempt(conv2, 'customer_number', 'vf 40123');
    expect(p2.json).toEqual({ result: 'pass', verified: true, attemptsLeft: 3 });
    const st2 = await call('GET', `/api/v1/tenants/${A}/conversations/${conv2}/verification`);
    expect(st2.json).toMatchObject({
      verified: true,
      locked: false,
      passedFactors: ['date_of_birth', 'customer_number'],
      unlocked: ['dateOfBirth', 'address'],
    });
    const minutes = (Date.parse(st2.json.expiresAt) - Date.parse(st2.json.verifiedAt)) / 60_000;
    expect(Math.round(minutes)).toBe(20);
    expect(await auditCount(w, w.a, 'verification.verified', conv2)).toBe(1);

    const open = await profileIn(conv2);
    expect(open.json.dateOfBirth).toBe('1985-02-01');
    expect(open.json.address).toEqual(profile.address);
    expect(open.json.masked).toBeUndefined();

    // 5. The same customer in another conversation, or without one, stays masked.
    const conv3 = await openCall();
    for (const r of [await profileIn(conv3), await profileIn(conv1), await profileIn()]) {
      expect(r.json.dateOfBirth).toBe('**.**.1985');
      expect(r.json.address).toEqual({ city: 'Berlin' });
    }
    // An agent outside the conversation's queue gets 404 and no unlock.
    expect((await attempt(conv2, 'postcode', '10117', w.s.agentA2)).status).toBe(404);
    expect((await profileIn(conv2, w.s.agentA2)).json.dateOfBirth).toBe('**.**.1985');

    // A verified conversation unlocks nothing for another customer.
    const other = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/customers`,
      { ...profile, phones: [] },
      w.s.agentA1,
    );
    const view = await call('GET', `/api/v1/tenants/${A}/customers/${other.json.id}?conversationId=${conv2}`);
    expect(view.json.dateOfBirth).toBe('**.**.1985');

    // 6. Verification expires.
    await w.v.core.db.withOwner((tx) =>
      tx.execute(
        sql`update conversation_verifications set expires_at = now() - interval '1 second' where conversation_id = ${conv2}`,
      ),
    );
    expect((await profileIn(conv2)).json.dateOfBirth).toBe('**.**.1985');

    // The stored answers never appear in any verification response.
    for (const r of responses.filter((x) => x.text.includes('"result"') || x.text.includes('passedFactors')))
      expect(r.text).not.toMatch(/1985-02-01|10117|VF-40123|Birkenallee/);
  });

  it('another tenant cannot touch the conversation', async () => {
    const conv = await openCall();
    const r = await w.v.call(
      'POST',
      `/api/v1/tenants/${slugs(w).slugB}/conversations/${conv}/verification/attempts`,
      { factor: 'postcode', answer: '10117' },
      w.s.agentB,
    );
    expect(r.status).toBe(404);
  });
});
