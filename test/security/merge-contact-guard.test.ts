// Issue 20, finding 5 (medium): an agent refused `PATCH {"emails": [...]}` (403
// verification_required) put the address on a throwaway customer and merged it into the victim;
// a lookup by that address then resolved to the victim (account takeover). Contact data arriving
// by merge now obeys the same verification rule as PATCH.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slugs, startWorld, type World } from '../conversations/fixture.ts';
import type { Session } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { openCall } from '../verification/world.ts';

const ATTACKER = 'attacker@example.net';

describe(`merge obeys the contact-change guard (${testDbKind})`, () => {
  let w: World;
  let A: string;
  let agent: Session;
  let n = 40;
  const api = (method: string, path: string, body?: unknown, s: Session = agent) =>
    w.v.call(method, `/api/v1/tenants/${A}${path}`, body, s);
  const lookup = async (email: string) =>
    ((await api('POST', '/customers/lookup', { email })).json.items as Array<{ id: string }>).map(
      (x) => x.id,
    );
  /** A victim with its own phone number, so a call from it resolves to this victim alone. */
  const newVictim = async (email: string) => {
    const phone = `+49 30 555 01${n++}`;
    const c = await api('POST', '/customers', {
      name: 'Vera Victim',
      emails: [email],
      phones: [phone],
      dateOfBirth: '1980-02-29',
      address: { street: 'Ahornweg 1', postalCode: '50667', city: 'Köln', country: 'DE' },
    });
    expect(c.status).toBe(201);
    return { id: c.json.id as string, phone };
  };

  beforeAll(async () => {
    w = await startWorld();
    A = slugs(w).slugA;
    agent = w.s.agentA1;
    const admin = await w.v.login(await w.v.makeUser([{ role: 'tenant_admin', tenant: A }]));
    const p = await w.v.call(
      'PUT',
      `/api/v1/tenants/${A}/settings/verification-policy`,
      { policy: { factors: ['date_of_birth', 'postcode'], required: 2, maxAttempts: 6 } },
      admin,
    );
    expect(p.status).toBe(200);
  });
  afterAll(() => w.v.close());

  it('the exact repro: PATCH refused, then merging a throwaway with the address is refused too', async () => {
    const { id: victim } = await newVictim('vera@example.de');
    const patch = await api('PATCH', `/customers/${victim}`, { emails: [ATTACKER] });
    expect(patch.status).toBe(403);
    expect(patch.json.error.code).toBe('verification_required');
    const throwaway = await api('POST', '/customers', { name: 'Throwaway', emails: [ATTACKER] });
    expect(throwaway.status).toBe(201);
    for (const s of [agent, w.s.supA]) {
      const merge = await api('POST', `/customers/${victim}/merge`, { otherId: throwaway.json.id }, s);
      expect(merge.status).toBe(403);
      expect(merge.json.error.code).toBe('verification_required');
    }
    // Nothing moved: the address still finds the throwaway only, the victim keeps its contact data.
    expect(await lookup(ATTACKER)).toEqual([throwaway.json.id]);
    expect((await api('GET', `/customers/${victim}`)).json.emails).toEqual(['vera@example.de']);
  });

  it('a duplicate that brings no new contact data merges as before', async () => {
    const { id: victim } = await newVictim('vera.two@example.de');
    const dupe = await api('POST', '/customers', { emails: ['VERA.TWO@example.de'], notes: 'called twice' });
    const merge = await api('POST', `/customers/${victim}/merge`, { otherId: dupe.json.id });
    expect(merge.status).toBe(200);
    expect(merge.json.emails).toEqual(['vera.two@example.de']);
  });

  it('with the caller verified in this conversation, the merge brings the address over', async () => {
    const { id: victim, phone } = await newVictim('vera.three@example.de');
    const throwaway = await api('POST', '/customers', { emails: [ATTACKER.replace('attacker', 'new')] });
    const { conversationId } = await openCall({ ...w, slugA: A }, phone);
    const attempt = (factor: string, answer: string) =>
      api('POST', `/conversations/${conversationId}/verification/attempts`, { factor, answer });
    await attempt('date_of_birth', '1980-02-29');
    expect((await attempt('postcode', '50667')).status).toBe(200);
    const merge = await api('POST', `/customers/${victim}/merge?conversationId=${conversationId}`, {
      otherId: throwaway.json.id,
    });
    expect(merge.status).toBe(200);
    expect(await lookup('new@example.net')).toEqual([victim]);
  });
});
