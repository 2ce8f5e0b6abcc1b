// Training and policy attestations: a member without a valid completion of the current version
// is refused that tenant's data only; reminders list who expires soon (controllable clock).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashUserAgent } from '../../src/auth/tokens.ts';
import { trainingEvidence } from '../../src/identity/access-policy/index.ts';
import { addMonths, createTrainingService } from '../../src/identity/access-policy/training.ts';
import type { TenantContext } from '../../src/platform/context.ts';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { auditActions } from './helpers.ts';

const monthsAgo = (n: number, days = 0) =>
  new Date(addMonths(new Date(), -n).getTime() - days * 86_400_000).toISOString();

describe('training gate', () => {
  let v: TestVigil;
  let admin: Session;
  let tenantA: string;
  let tenantB: string;
  let fresh: TestUser;
  let expired: TestUser;
  let soon: TestUser;
  let trainingA: string;
  const read = (s: Session, slug = 'tr-a') =>
    v.call('GET', `/api/v1/tenants/${slug}/conversations`, undefined, s);

  beforeAll(async () => {
    v = await startTestVigil();
    tenantA = await v.tenant('tr-a');
    tenantB = await v.tenant('tr-b');
    admin = await v.login(
      await v.makeUser([
        { role: 'tenant_admin', tenant: 'tr-a' },
        { role: 'tenant_admin', tenant: 'tr-b' },
      ]),
    );
    const both = [
      { role: 'agent' as const, tenant: 'tr-a' },
      { role: 'agent' as const, tenant: 'tr-b' },
    ];
    fresh = await v.makeUser(both);
    expired = await v.makeUser(both);
    soon = await v.makeUser([{ role: 'agent', tenant: 'tr-a' }]);
  });
  afterAll(() => v.close());

  it('a new required training locks agents out of that tenant until they complete it', async () => {
    const agent = await v.login(fresh);
    expect((await read(agent)).status).toBe(200);
    const t = await v.call(
      'POST',
      '/api/v1/tenants/tr-a/trainings',
      { title: 'Data protection basics', validityMonths: 12 },
      admin,
    );
    expect(t.status).toBe(201);
    trainingA = t.json.id;
    expect(t.json).toMatchObject({ version: 1, requiredRoles: ['agent'], kind: 'training' });

    const locked = await read(agent);
    expect(locked.status).toBe(403);
    expect(locked.json.error).toMatchObject({
      code: 'training_required',
      details: [{ path: 'trainingId', message: trainingA }],
    });
    // The other tenant is unaffected; the admin (role not required) is unaffected.
    expect((await read(agent, 'tr-b')).status).toBe(200);
    expect((await v.call('GET', '/api/v1/tenants/tr-a/trainings', undefined, admin)).status).toBe(200);

    // The training routes stay reachable: that is how the agent gets back in.
    const mine = await v.call('GET', '/api/v1/tenants/tr-a/trainings/mine', undefined, agent);
    expect(mine.json.trainings).toEqual([
      expect.objectContaining({ id: trainingA, valid: false, expiresAt: null }),
    ]);
    // An agent cannot back-date or record for someone else.
    const backdated = await v.call(
      'POST',
      `/api/v1/tenants/tr-a/trainings/${trainingA}/completions`,
      { completedAt: monthsAgo(1) },
      agent,
    );
    expect(backdated.status).toBe(403);
    const forOther = await v.call(
      'POST',
      `/api/v1/tenants/tr-a/trainings/${trainingA}/completions`,
      { userId: expired.id },
      agent,
    );
    expect(forOther.status).toBe(403);
    const done = await v.call('POST', `/api/v1/tenants/tr-a/trainings/${trainingA}/completions`, {}, agent);
    expect(done.status).toBe(201);
    expect(done.json).toMatchObject({ userId: fresh.id, version: 1, valid: true });
    expect((await read(agent)).status).toBe(200);

    const denied = (await auditActions(v, tenantA, 'access.denied')).filter((e) => e.actor_id === fresh.id);
    expect(denied.map((e) => e.meta.code)).toEqual(['training_required']);
    expect(await auditActions(v, tenantA, 'training.complete')).toHaveLength(1);
  });

  it('an expired completion loses access to that tenant only', async () => {
    // tr-b requires its own training, which this agent has; tr-a's was done 13 months ago.
    const tb = await v.call(
      'POST',
      '/api/v1/tenants/tr-b/trainings',
      { kind: 'policy', title: 'Clean desk policy', validityMonths: 24 },
      admin,
    );
    await v.call(
      'POST',
      `/api/v1/tenants/tr-b/trainings/${tb.json.id}/completions`,
      { userId: expired.id, completedAt: monthsAgo(1) },
      admin,
    );
    const old = await v.call(
      'POST',
      `/api/v1/tenants/tr-a/trainings/${trainingA}/completions`,
      { userId: expired.id, completedAt: monthsAgo(13) },
      admin,
    );
    expect(old.status).toBe(201);
    expect(old.json.valid).toBe(false);
    const agent = await v.login(expired);
    expect((await read(agent)).json.error.code).toBe('training_required');
    expect((await read(agent, 'tr-b')).status).toBe(200);
    // fresh did not do tr-b's policy: locked out there, still fine in tr-a.
    const f = await v.login(fresh);
    expect((await read(f, 'tr-b')).json.error.code).toBe('training_required');
    expect((await read(f)).status).toBe(200);
  });

  it('a new version of a training requires everyone to complete it again', async () => {
    const soonSession = await v.login(soon);
    await v.call(
      'POST',
      `/api/v1/tenants/tr-a/trainings/${trainingA}/completions`,
      { userId: soon.id, completedAt: monthsAgo(11, 15) },
      admin,
    );
    expect((await read(soonSession)).status).toBe(200);
    const bumped = await v.call(
      'PATCH',
      `/api/v1/tenants/tr-a/trainings/${trainingA}`,
      { newVersion: true },
      admin,
    );
    expect(bumped.json.version).toBe(2);
    expect((await read(soonSession)).json.error.code).toBe('training_required');
    await v.call(
      'POST',
      `/api/v1/tenants/tr-a/trainings/${trainingA}/completions`,
      { userId: soon.id, completedAt: monthsAgo(11, 15) },
      admin,
    );
    expect((await read(soonSession)).status).toBe(200);
  });

  it('lists who expires within N days, for admins and supervisors only', async () => {
    const within = async (days: number) => {
      const r = await v.call(
        'GET',
        `/api/v1/tenants/tr-a/trainings/expiring?withinDays=${days}`,
        undefined,
        admin,
      );
      expect(r.status).toBe(200);
      return r.json.expiring as Array<{ userId: string; trainingId: string; expiresAt: string }>;
    };
    // soon: completed 11 months + 15 days ago → expires in about two weeks; expired: already expired
    // (of version 1, so no longer listed as current); fresh: a year left (of version 1 too).
    expect((await within(30)).map((e) => e.userId)).toEqual([soon.id]);
    expect(await within(7)).toEqual([]);
    const agent = await v.login(soon);
    expect((await v.call('GET', '/api/v1/tenants/tr-a/trainings/expiring', undefined, agent)).status).toBe(
      403,
    );
  });

  it('reminders follow a controllable clock', async () => {
    const at = { now: new Date() };
    const svc = createTrainingService({ db: v.core.db, audit: v.core.audit, clock: { now: () => at.now } });
    const ctx = {
      requestId: randomUUID(),
      ip: '127.0.0.1',
      uaHash: hashUserAgent('clock-test'),
      actor: { type: 'user', id: fresh.id },
      roles: [],
      tenant: { id: tenantB, slug: 'tr-b', name: 'Tenant tr-b' },
    } as unknown as TenantContext;
    const t = await svc.define(ctx, { title: 'Phishing awareness', validityMonths: 6 });
    await svc.complete(ctx, t.id, fresh.id);
    expect((await svc.expiring(tenantB, 30)).filter((e) => e.trainingId === t.id)).toEqual([]);
    at.now = new Date(addMonths(new Date(), 6).getTime() - 10 * 86_400_000); // ten days before expiry
    expect(
      (await svc.expiring(tenantB, 30)).filter((e) => e.trainingId === t.id).map((e) => e.userId),
    ).toEqual([fresh.id]);
    at.now = addMonths(new Date(), 7);
    const evidence = (await svc.evidence(tenantB)).filter((e) => e.trainingId === t.id);
    expect(evidence).toEqual([expect.objectContaining({ userId: fresh.id, valid: false, version: 1 })]);
  });

  it('exposes completion records as evidence for the client security report', async () => {
    const records = await v.app.access.trainingEvidence(tenantA);
    const byUser = (id: string) => records.filter((r) => r.userId === id);
    expect(byUser(fresh.id)).toEqual([
      expect.objectContaining({ trainingId: trainingA, version: 1, valid: false }),
    ]);
    expect(byUser(soon.id).map((r) => [r.version, r.valid])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(JSON.stringify(records)).not.toMatch(/@staff\.test/);
    expect(await trainingEvidence(v.core.db, tenantA)).toEqual(records);
    const http = await v.call('GET', '/api/v1/tenants/tr-a/trainings/evidence', undefined, admin);
    expect(http.json.records).toHaveLength(records.length);
  });
});
