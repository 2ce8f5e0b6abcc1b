// Issue 20, finding 2 (high): the tenant admin granted itself dpo (or agent, security_officer) and
// read unmasked data. Now nobody grants themselves anything, and a data-reading role is only a
// pending request until a second tenant admin (neither grantor nor grantee) approves it; audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

const T = 'eyes-a';

describe(`no self-grants, four eyes for data-reading roles (${testDbKind})`, () => {
  let v: TestVigil;
  let admin: TestUser;
  let sAdmin: Session;
  let sSecond: Session;
  let sOfficer: Session;

  const rolesOf = async (userId: string) =>
    (await v.call('GET', `/api/v1/tenants/${T}/users`, undefined, sAdmin)).json.users.find(
      (u: { id: string }) => u.id === userId,
    )?.roles as string[];
  const grant = (userId: string, role: string, s: Session) =>
    v.call('POST', `/api/v1/tenants/${T}/users/${userId}/roles`, { role }, s);
  const decide = (id: string, verb: 'approve' | 'reject', s: Session) =>
    v.call('POST', `/api/v1/tenants/${T}/role-requests/${id}/${verb}`, undefined, s);
  const events = async (action: string) =>
    (await v.call('GET', `/api/v1/tenants/${T}/audit/events?action=${action}`, undefined, sOfficer)).json
      .events as Array<{
      actorId: string;
      resourceId: string;
      outcome: string;
      meta: Record<string, unknown>;
    }>;

  beforeAll(async () => {
    v = await startTestVigil();
    admin = await v.makeUser([{ role: 'tenant_admin', tenant: T }]);
    sAdmin = await v.login(admin);
    sSecond = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: T }]));
    sOfficer = await v.login(await v.makeUser([{ role: 'security_officer', tenant: T }]));
  });
  afterAll(() => v.close());

  it('the tenant admin cannot grant itself dpo, agent or security_officer (403, audited as denied)', async () => {
    for (const role of ['dpo', 'agent', 'security_officer', 'supervisor', 'tenant_admin']) {
      const r = await grant(admin.id, role, sAdmin);
      expect(r.status, role).toBe(403);
      expect(r.json.error.code).toBe('self_grant_forbidden');
    }
    expect(await rolesOf(admin.id)).toEqual(['tenant_admin']);
    // Still no access to customers' data.
    expect((await v.call('GET', `/api/v1/tenants/${T}/customers`, undefined, sAdmin)).status).toBe(403);
    const denied = await events('membership.grant');
    expect(denied.filter((e) => e.outcome === 'denied' && e.resourceId === admin.id)).toHaveLength(5);
  });

  it('a data-reading role waits for a second admin; grantor and grantee cannot approve it', async () => {
    // The grantee is an admin too, so it could try to approve its own grant.
    const grantee = await v.makeUser([{ role: 'tenant_admin', tenant: T }]);
    const sGrantee = await v.login(grantee);
    const asked = await grant(grantee.id, 'dpo', sAdmin);
    expect(asked.status).toBe(202);
    expect(asked.json).toMatchObject({ status: 'pending', requestId: expect.any(String) });
    expect(await rolesOf(grantee.id)).toEqual(['tenant_admin']);
    const listed = await v.call('GET', `/api/v1/tenants/${T}/role-requests`, undefined, sSecond);
    expect(listed.json.requests).toContainEqual(
      expect.objectContaining({
        id: asked.json.requestId,
        userId: grantee.id,
        role: 'dpo',
        requestedBy: admin.id,
      }),
    );
    for (const s of [sAdmin, sGrantee]) {
      const r = await decide(asked.json.requestId, 'approve', s);
      expect(r.status).toBe(403);
      expect(r.json.error.code).toBe('four_eyes_required');
    }
    // Asking again changes nothing: the same request.
    expect((await grant(grantee.id, 'dpo', sAdmin)).json.requestId).toBe(asked.json.requestId);
    expect((await decide(asked.json.requestId, 'approve', sSecond)).status).toBe(200);
    expect(await rolesOf(grantee.id)).toEqual(['dpo', 'tenant_admin']);
    expect((await decide(asked.json.requestId, 'approve', sSecond)).status).toBe(404);
    const approved = await events('membership.grant_approved');
    expect(approved.find((e) => e.resourceId === asked.json.requestId)?.meta).toMatchObject({
      role: 'dpo',
      subjectUser: grantee.id,
      requestedBy: admin.id,
    });
    expect(
      (await events('membership.grant_requested')).some((e) => e.resourceId === asked.json.requestId),
    ).toBe(true);
  });

  it('a rejected request grants nothing; a role that reads no personal data is granted at once', async () => {
    const agent = await v.makeUser([{ role: 'agent', tenant: T }]);
    const asked = await grant(agent.id, 'supervisor', sAdmin);
    expect(asked.status).toBe(202);
    expect((await decide(asked.json.requestId, 'reject', sSecond)).status).toBe(200);
    expect(await rolesOf(agent.id)).toEqual(['agent']);
    expect((await decide(asked.json.requestId, 'approve', sSecond)).status).toBe(404);
    expect((await events('membership.grant_rejected')).map((e) => e.resourceId)).toContain(
      asked.json.requestId,
    );
    const direct = await grant(agent.id, 'tenant_admin', sAdmin);
    expect(direct.status).toBe(200);
    expect(direct.json.status).toBe('granted');
    expect(await rolesOf(agent.id)).toEqual(['agent', 'tenant_admin']);
  });
});
