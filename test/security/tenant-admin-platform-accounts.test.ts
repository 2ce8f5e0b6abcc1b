// Issue 20, finding 1 (high): a tenant admin acted on accounts outside its tenant, up to the
// platform admin: SCIM linked the platform admin's account (and told that it exists), the roles
// endpoint granted it a role, and a tenant suspension locked it out of the platform. Each attack
// of the penetration test, through the real HTTP API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { scimClient } from '../identity/helpers.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe(`tenant roles stay inside the tenant (${testDbKind})`, () => {
  let v: TestVigil;
  let platform: TestUser;
  let sPlatform: Session;
  let sAdmin: Session;
  let scim: ReturnType<typeof scimClient>;

  const slugsOf = async (s: Session) =>
    (
      (await v.call('GET', '/api/v1/me', undefined, s)).json.user.memberships as Array<{
        tenant: { slug: string } | null;
      }>
    )
      .map((m) => m.tenant?.slug ?? 'platform')
      .sort();
  const signsIn = async (u: TestUser) =>
    (await v.call('POST', '/api/v1/auth/login', { email: u.email, password: u.password })).status;

  beforeAll(async () => {
    v = await startTestVigil();
    await v.tenant('pen-a');
    await v.tenant('pen-b');
    platform = await v.makeUser([{ role: 'platform_admin' }]);
    sPlatform = await v.login(platform);
    // The pen tester's account: tenant admin and security officer of pen-a.
    sAdmin = await v.login(
      await v.makeUser([
        { role: 'tenant_admin', tenant: 'pen-a' },
        { role: 'security_officer', tenant: 'pen-a' },
      ]),
    );
    const t = await v.call('POST', '/api/v1/tenants/pen-a/scim/tokens', { name: 'IdP' }, sAdmin);
    scim = scimClient(v, t.json.token);
  });
  afterAll(() => v.close());

  it("SCIM POST /Users with the platform admin's e-mail neither links the account nor reveals it exists", async () => {
    const fresh = await scim('POST', '/Users', { schemas: [USER], userName: 'nobody.yet@pen-a.test' });
    const probe = await scim('POST', '/Users', { schemas: [USER], userName: platform.email });
    // The same answer as for an address nobody has: nothing tells the caller the account exists.
    expect(probe.status).toBe(fresh.status);
    expect(Object.keys(probe.json).sort()).toEqual(Object.keys(fresh.json).sort());
    expect(probe.json.active).toBe(fresh.json.active);
    expect(probe.json.groups).toEqual(fresh.json.groups);
    // Not linked: no membership in pen-a, not in the tenant's user list.
    expect(await slugsOf(sPlatform)).toEqual(['platform']);
    const users = await v.call('GET', '/api/v1/tenants/pen-a/users', undefined, sAdmin);
    expect(users.json.users.map((u: { id: string }) => u.id)).not.toContain(platform.id);
    // The person sees an invitation; a platform account cannot take tenant roles by accepting it.
    const inv = await v.call('GET', '/api/v1/me/invitations', undefined, sPlatform);
    expect(inv.json.invitations.map((i: { tenant: { slug: string } }) => i.tenant.slug)).toEqual(['pen-a']);
    const accept = await v.call(
      'POST',
      `/api/v1/me/invitations/${inv.json.invitations[0].id}/accept`,
      undefined,
      sPlatform,
    );
    expect(accept.status).toBe(403);
    expect(accept.json.error.code).toBe('account_outside_tenant');
    expect(await slugsOf(sPlatform)).toEqual(['platform']);
    // Nobody else can answer someone's invitation.
    expect(
      (
        await v.call(
          'POST',
          `/api/v1/me/invitations/${inv.json.invitations[0].id}/decline`,
          undefined,
          sAdmin,
        )
      ).status,
    ).toBe(404);
  });

  it('an account of another tenant is added only when the person accepts the invitation', async () => {
    const other = await v.makeUser([{ role: 'agent', tenant: 'pen-b' }]);
    const s = await v.login(other);
    expect((await scim('POST', '/Users', { schemas: [USER], userName: other.email })).status).toBe(201);
    expect(await slugsOf(s)).toEqual(['pen-b']);
    expect((await v.call('GET', '/api/v1/tenants/pen-a/conversations', undefined, s)).status).toBe(404);
    const inv = (await v.call('GET', '/api/v1/me/invitations', undefined, s)).json.invitations;
    expect((await v.call('POST', `/api/v1/me/invitations/${inv[0].id}/accept`, undefined, s)).status).toBe(
      200,
    );
    expect(await slugsOf(s)).toEqual(['pen-a', 'pen-b']);
  });

  it('until accepted, SCIM neither strips the roles of an invited account nor ends its sessions', async () => {
    const colleague = await v.makeUser([{ role: 'tenant_admin', tenant: 'pen-a' }]);
    const loner = await v.makeUser([]);
    const sColleague = await v.login(colleague);
    const sLoner = await v.login(loner);
    for (const [u, s, slugs] of [
      [colleague, sColleague, ['pen-a']],
      [loner, sLoner, []],
    ] as const) {
      const r = await scim('POST', '/Users', { schemas: [USER], userName: u.email });
      expect(r.status).toBe(201);
      await scim('PATCH', `/Users/${r.json.id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'replace', value: { active: false } }],
      });
      expect((await scim('DELETE', `/Users/${r.json.id}`)).status).toBe(204);
      expect((await v.call('GET', '/api/v1/me', undefined, s)).status).toBe(200);
      expect(await slugsOf(s)).toEqual(slugs);
    }
  });

  it('the roles endpoint does not reach the platform admin: 404 as a non-member, 403 as a member', async () => {
    const grant = await v.call(
      'POST',
      `/api/v1/tenants/pen-a/users/${platform.id}/roles`,
      { role: 'agent' },
      sAdmin,
    );
    expect(grant.status).toBe(404);
    // A platform account the platform itself made a member of pen-a: still no role from the tenant.
    const both = await v.makeUser([{ role: 'platform_admin' }, { role: 'agent', tenant: 'pen-a' }]);
    const again = await v.call(
      'POST',
      `/api/v1/tenants/pen-a/users/${both.id}/roles`,
      { role: 'tenant_admin' },
      sAdmin,
    );
    expect(again.status).toBe(403);
    expect(again.json.error.code).toBe('account_outside_tenant');
    expect(await slugsOf(sPlatform)).toEqual(['platform']);
  });

  it("suspending in pen-a suspends the pen-a membership only: the platform admin's login and other tenants stay", async () => {
    expect(
      (
        await v.call(
          'POST',
          `/api/v1/tenants/pen-a/users/${platform.id}/suspend`,
          { reason: 'probe' },
          sAdmin,
        )
      ).status,
    ).toBe(404);
    const both = await v.makeUser([{ role: 'platform_admin' }, { role: 'agent', tenant: 'pen-a' }]);
    const sBoth = await v.login(both);
    const sus = await v.call(
      'POST',
      `/api/v1/tenants/pen-a/users/${both.id}/suspend`,
      { reason: 'probe' },
      sAdmin,
    );
    expect(sus.status).toBe(200);
    expect(await signsIn(both)).toBe(200);
    expect((await v.call('GET', '/api/v1/admin/tenants', undefined, sBoth)).status).toBe(200);
    expect((await v.call('GET', '/api/v1/tenants/pen-a/conversations', undefined, sBoth)).status).toBe(404);
    // Its sessions are account-wide: not the tenant's to revoke.
    const sessions = await v.call(
      'GET',
      `/api/v1/tenants/pen-a/users/${both.id}/sessions`,
      undefined,
      sAdmin,
    );
    const revoke = await v.call(
      'DELETE',
      `/api/v1/tenants/pen-a/sessions/${sessions.json.sessions[0].id}`,
      undefined,
      sAdmin,
    );
    expect(revoke.status).toBe(403);
    expect(revoke.json.error.code).toBe('account_outside_tenant');

    // An agent of two tenants: suspended in pen-a, still working in pen-b.
    const agent = await v.makeUser([
      { role: 'agent', tenant: 'pen-a' },
      { role: 'agent', tenant: 'pen-b' },
    ]);
    const sAgent = await v.login(agent);
    expect(
      (await v.call('POST', `/api/v1/tenants/pen-a/users/${agent.id}/suspend`, { reason: 'probe' }, sAdmin))
        .status,
    ).toBe(200);
    expect((await v.call('GET', '/api/v1/tenants/pen-b/conversations', undefined, sAgent)).status).toBe(200);
    expect((await v.call('GET', '/api/v1/tenants/pen-a/conversations', undefined, sAgent)).status).toBe(404);
    expect(await slugsOf(sAgent)).toEqual(['pen-b']);
    expect(await signsIn(agent)).toBe(200);
    const listed = (await v.call('GET', '/api/v1/tenants/pen-a/users', undefined, sAdmin)).json.users.find(
      (u: { id: string }) => u.id === agent.id,
    );
    expect(listed.status).toBe('suspended');
    expect(
      (
        await v.call(
          'POST',
          `/api/v1/tenants/pen-a/users/${agent.id}/unsuspend`,
          { reason: 'reviewed' },
          sAdmin,
        )
      ).status,
    ).toBe(200);
    expect((await v.call('GET', '/api/v1/tenants/pen-a/conversations', undefined, sAgent)).status).toBe(200);
  });

  it('an agent of pen-a alone loses its sessions and cannot sign in while suspended', async () => {
    const agent = await v.makeUser([{ role: 'agent', tenant: 'pen-a' }]);
    const s = await v.login(agent);
    expect(
      (await v.call('POST', `/api/v1/tenants/pen-a/users/${agent.id}/suspend`, { reason: 'probe' }, sAdmin))
        .status,
    ).toBe(200);
    expect((await v.call('GET', '/api/v1/me', undefined, s)).status).toBe(401);
    const login = await v.call('POST', '/api/v1/auth/login', {
      email: agent.email,
      password: agent.password,
    });
    expect(login.json.error.code).toBe('account_suspended');
  });
});
