// A second one-time code replaces the first: the caller reading out the first is told clearly
// that it was superseded, and that try is not counted as a failure; the latest code works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { World } from '../conversations/fixture.ts';
import type { Session } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { type Gateways, openCall, startGateways, startPaymentsWorld, waitFor } from './world.ts';

describe(`a superseded one-time code (${testDbKind})`, () => {
  let g: Gateways;
  let w: World & { slugA: string; slugB: string };
  let admin: Session;
  const email = 'otto.zweit@example.org';
  beforeAll(async () => {
    g = await startGateways();
    w = await startPaymentsWorld(g);
    admin = await w.v.login(await w.v.makeUser([{ role: 'tenant_admin', tenant: w.slugA }]));
  });
  afterAll(async () => {
    await w.v.close();
    await g.close();
  });

  it('says the first code was superseded, counts no failure, accepts the latest', async () => {
    const A = w.slugA;
    const policy = await w.v.call(
      'PUT',
      `/api/v1/tenants/${A}/settings/verification-policy`,
      { policy: { factors: ['one_time_code', 'date_of_birth'], required: 1, maxAttempts: 3 } },
      admin,
    );
    expect(policy.status).toBe(200);
    const phone = '+49 30 555 0177';
    const c = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/customers`,
      { name: 'Otto Zweit', emails: [email], phones: [phone] },
      w.s.agentA1,
    );
    expect(c.status).toBe(201);
    const { conversationId: conv } = await openCall(w, phone);
    const v = (tail = '') => `/api/v1/tenants/${A}/conversations/${conv}/verification${tail}`;
    const codes: string[] = [];
    for (let i = 0; i < 2; i++) {
      expect((await w.v.call('POST', v('/codes'), { channel: 'email' }, w.s.agentA1)).status).toBe(202);
      const mails = await waitFor(async () => {
        const mine = g.mail.filter((m) => JSON.stringify(m.to).includes(email));
        return mine.length > i && mine;
      });
      codes.push(/\b(\d{6})\b/.exec(mails[i]!.text ?? '')![1]!);
    }
    const first = await w.v.call(
      'POST',
      v('/attempts'),
      { factor: 'one_time_code', answer: codes[0] },
      w.s.agentA1,
    );
    expect(first.status).toBe(409);
    expect(first.json.error.message).toMatch(/replaced by a newer one/);
    expect((await w.v.call('GET', v(), undefined, w.s.agentA1)).json).toMatchObject({ failedAttempts: 0 });
    const latest = await w.v.call(
      'POST',
      v('/attempts'),
      { factor: 'one_time_code', answer: codes[1] },
      w.s.agentA1,
    );
    expect(latest.json).toMatchObject({ result: 'pass', verified: true });
  });
});
