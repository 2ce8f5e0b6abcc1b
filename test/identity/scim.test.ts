// SCIM 2.0 conformance run: the requests Entra ID and Okta send, in their own dialects, against a
// real Vigil. Deactivation cuts a user off at once (sessions revoked, next request refused).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { auditActions, firstLogin, scimClient } from './helpers.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PASSWORD = 'Correct-Horse-Battery-Staple-42';

describe('SCIM provisioning', () => {
  let v: TestVigil;
  let admin: Session;
  let tenantA: string;
  let scim: ReturnType<typeof scimClient>;
  let scimB: ReturnType<typeof scimClient>;

  beforeAll(async () => {
    v = await startTestVigil();
    tenantA = await v.tenant('scim-a');
    await v.tenant('scim-b');
    admin = await v.login(
      await v.makeUser([
        { role: 'tenant_admin', tenant: 'scim-a' },
        { role: 'security_officer', tenant: 'scim-a' },
      ]),
    );
    const t = await v.call('POST', '/api/v1/tenants/scim-a/scim/tokens', { name: 'Entra ID' }, admin);
    expect(t.status).toBe(201);
    expect(t.json.token).toMatch(/^vscim_/);
    scim = scimClient(v, t.json.token);
    const adminB = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: 'scim-b' }]));
    scimB = scimClient(
      v,
      (await v.call('POST', '/api/v1/tenants/scim-b/scim/tokens', { name: 'Okta' }, adminB)).json.token,
    );
  });
  afterAll(() => v.close());

  it('refuses requests without a valid SCIM token; a session cookie is no SCIM credential', async () => {
    expect((await v.call('GET', '/scim/v2/Users')).status).toBe(401);
    expect((await scimClient(v, 'vscim_wrong')('GET', '/Users')).status).toBe(401);
    const withCookie = await v.call('GET', '/scim/v2/Users', undefined, admin);
    expect(withCookie.status).toBe(401);
    expect(withCookie.json.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
    expect(withCookie.json.error.code).toBe('unauthenticated');
  });

  it('serves the discovery documents', async () => {
    const spc = await scim('GET', '/ServiceProviderConfig');
    expect(spc.status).toBe(200);
    expect(spc.headers.get('content-type')).toMatch(/application\/scim\+json/);
    expect(spc.json).toMatchObject({ patch: { supported: true }, filter: { supported: true } });
    expect((await scim('GET', '/ResourceTypes')).json.Resources.map((r: { id: string }) => r.id)).toEqual([
      'User',
      'Group',
    ]);
    expect((await scim('GET', '/Schemas')).json.Resources.map((r: { id: string }) => r.id)).toEqual([
      USER,
      GROUP,
    ]);
  });

  it('runs the Entra ID sequence: lookup, create, filter, patch, group change, deactivate', async () => {
    const email = 'alice.entra@client-a.test';
    // 1. Entra looks the user up before creating it.
    const none = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`);
    expect(none.json).toMatchObject({ totalResults: 0, Resources: [] });

    // 2. Create (Entra's payload, with the enterprise extension it always sends).
    const created = await scim('POST', '/Users', {
      schemas: [USER, ENTERPRISE],
      externalId: 'entra-0001',
      userName: email,
      active: true,
      displayName: 'Alice Entra',
      emails: [{ primary: true, type: 'work', value: email }],
      name: { formatted: 'Alice Entra', familyName: 'Entra', givenName: 'Alice' },
      [ENTERPRISE]: { department: 'Care' },
      password: PASSWORD,
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect(created.json).toMatchObject({ userName: email, active: true, externalId: 'entra-0001' });
    expect(created.json.password).toBeUndefined();

    // 3. Get by filter (externalId, userName case-insensitively) and by id.
    const byExt = await scim('GET', `/Users?filter=${encodeURIComponent('externalId eq "entra-0001"')}`);
    expect(byExt.json.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
    const byName = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${email.toUpperCase()}"`)}`,
    );
    expect(byName.json.totalResults).toBe(1);
    expect((await scim('GET', `/Users/${id}`)).json.userName).toBe(email);
    const reads = await auditActions(v, tenantA, 'scim.user.read');
    expect(reads.map((e) => [e.actor_type, e.resource_id])).toEqual([['service', id]]);

    // The account works: password from SCIM, TOTP enrolled at first sign-in, default role agent.
    const alice = await firstLogin(v, email, PASSWORD);
    const me = await v.call('GET', '/api/v1/me', undefined, alice);
    expect(me.json.user.memberships.map((m: { role: string }) => m.role)).toEqual(['agent']);
    expect((await v.call('GET', '/api/v1/tenants/scim-a/conversations', undefined, alice)).status).toBe(200);

    // 4. Entra's attribute PATCH (capitalised ops, dotted and filtered paths).
    const patched = await scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', path: 'displayName', value: 'Alice E.' },
        { op: 'Replace', path: 'name.familyName', value: 'Entra-Neu' },
        { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Billing' },
      ],
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      displayName: 'Alice E.',
      name: { familyName: 'Entra-Neu', givenName: 'Alice' },
    });

    // 5. Group → role: map the group, create it, add Alice Entra-style, remove her again.
    const cfg = await v.call(
      'PUT',
      '/api/v1/tenants/scim-a/scim/config',
      { defaultRole: 'agent', groupRoles: [{ group: 'Vigil Supervisors', role: 'supervisor' }] },
      admin,
    );
    expect(cfg.status).toBe(200);
    const group = await scim('POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'Vigil Supervisors',
      externalId: 'g-1',
      members: [],
    });
    expect(group.status).toBe(201);
    const gid = group.json.id as string;
    const add = await scim('PATCH', `/Groups/${gid}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Add', path: 'members', value: [{ value: id }] }],
    });
    expect(add.status).toBe(204);
    expect((await scim('GET', `/Groups/${gid}`)).json.members.map((m: { value: string }) => m.value)).toEqual(
      [id],
    );
    expect((await scim('GET', `/Users/${id}`)).json.groups.map((g: { value: string }) => g.value)).toEqual([
      gid,
    ]);
    const roles = async () =>
      (await v.call('GET', '/api/v1/me', undefined, alice)).json.user.memberships
        .map((m: { role: string }) => m.role)
        .sort();
    expect(await roles()).toEqual(['agent', 'supervisor']);
    const remove = await scim('PATCH', `/Groups/${gid}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Remove', path: 'members', value: [{ value: id }] }],
    });
    expect(remove.status).toBe(204);
    expect(await roles()).toEqual(['agent']);
    const grants = await auditActions(v, tenantA, 'membership.grant');
    expect(grants.some((e) => e.meta.role === 'supervisor' && e.actor_type === 'service')).toBe(true);
    expect(
      (await auditActions(v, tenantA, 'membership.revoke')).some((e) => e.meta.role === 'supervisor'),
    ).toBe(true);

    // 6. Deactivation, exactly as Entra sends it (a string boolean).
    // A second browser: both sessions must go.
    const second = await v.login(
      { id, email, password: PASSWORD, totpSecret: alice.totpSecret },
      { userAgent: 'second-browser' },
    );
    const off = await scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(off.status).toBe(200);
    expect(off.json.active).toBe(false);

    // The next request is refused, and the sessions are listed as revoked.
    const next = await v.call('GET', '/api/v1/tenants/scim-a/conversations', undefined, alice);
    expect(next.status).toBe(401);
    expect((await v.call('GET', '/api/v1/me', undefined, alice)).status).toBe(401);
    expect((await v.call('GET', '/api/v1/me', undefined, second)).status).toBe(401);
    const sessions = await v.call(
      'GET',
      `/api/v1/tenants/scim-a/scim/users/${id}/sessions`,
      undefined,
      admin,
    );
    expect(sessions.status).toBe(200);
    expect(sessions.json.active).toBe(false);
    expect(sessions.json.sessions.length).toBe(2);
    for (const s of sessions.json.sessions) expect(s).toMatchObject({ revokedReason: 'scim_deactivated' });
    expect(sessions.json.sessions.every((s: { revokedAt: string | null }) => s.revokedAt !== null)).toBe(
      true,
    );
    // …and the account cannot sign in again.
    const relogin = await v.call('POST', '/api/v1/auth/login', { email, password: PASSWORD });
    expect(relogin.status).toBe(401);
    expect(relogin.json.error.code).toBe('account_suspended');

    const deact = await auditActions(v, tenantA, 'scim.user.deactivate');
    expect(deact).toHaveLength(1);
    expect(deact[0]).toMatchObject({
      actor_type: 'service',
      resource_id: sessions.json.userId,
      outcome: 'success',
    });
    expect(JSON.stringify(deact)).not.toContain(email);
    expect(
      (await auditActions(v, null, 'session.revoke')).filter(
        (e) => e.meta.subjectUser === sessions.json.userId,
      ).length,
    ).toBe(sessions.json.sessions.length);
  });

  it('runs the Okta sequence: create, replace (PUT), path-less patch active=false/true, delete', async () => {
    const email = 'bob.okta@client-a.test';
    const created = await scim('POST', '/Users', {
      schemas: [USER],
      userName: email,
      name: { givenName: 'Bob', familyName: 'Okta' },
      emails: [{ primary: true, value: email, type: 'work' }],
      displayName: 'Bob Okta',
      locale: 'en-US',
      externalId: '00u1okta',
      groups: [],
      password: PASSWORD,
      active: true,
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const bob = await firstLogin(v, email, PASSWORD);

    // Okta's PUT: the whole resource.
    const put = await scim('PUT', `/Users/${id}`, {
      schemas: [USER],
      id,
      userName: email,
      name: { givenName: 'Robert', familyName: 'Okta' },
      emails: [{ primary: true, value: email, type: 'work' }],
      active: true,
    });
    expect(put.status).toBe(200);
    expect(put.json.name).toMatchObject({ givenName: 'Robert' });
    expect(put.json.displayName).toBeUndefined();

    // Okta deactivates with a path-less replace (Entra's `{"op":"Replace","value":{"active":false}}` too).
    const off = await scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Replace', value: { active: false } }],
    });
    expect(off.json.active).toBe(false);
    expect((await v.call('GET', '/api/v1/me', undefined, bob)).status).toBe(401);
    const on = await scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    expect(on.json.active).toBe(true);
    // Reactivated: the account signs in again (with its enrolled TOTP) and has its role back.
    const again = await v.login({ id, email, password: PASSWORD, totpSecret: bob.totpSecret });
    expect((await v.call('GET', '/api/v1/tenants/scim-a/conversations', undefined, again)).status).toBe(200);

    const del = await scim('DELETE', `/Users/${id}`);
    expect(del.status).toBe(204);
    expect((await scim('GET', `/Users/${id}`)).status).toBe(404);
    expect((await v.call('GET', '/api/v1/me', undefined, again)).status).toBe(401);
    expect(await auditActions(v, tenantA, 'scim.user.delete')).toHaveLength(1);
    // The userName is free again: re-provisioning creates a fresh account.
    const re = await scim('POST', '/Users', { schemas: [USER], userName: email, active: true });
    expect(re.status).toBe(201);
    expect(re.json.id).not.toBe(id);
  });

  it('runs the Okta group push: create with members, rename, remove by filter, PUT, delete', async () => {
    await v.call(
      'PUT',
      '/api/v1/tenants/scim-a/scim/config',
      { defaultRole: null, groupRoles: [{ group: 'Okta Security', role: 'security_officer' }] },
      admin,
    );
    const u = await scim('POST', '/Users', {
      schemas: [USER],
      userName: 'carol.okta@client-a.test',
      password: PASSWORD,
    });
    const carol = await firstLogin(v, 'carol.okta@client-a.test', PASSWORD);
    const roles = async () =>
      (await v.call('GET', '/api/v1/me', undefined, carol)).json.user.memberships.map(
        (m: { role: string }) => m.role,
      );
    // No default role: provisioned but without access until a group grants one.
    expect(await roles()).toEqual([]);
    const g = await scim('POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'Okta Sec',
      members: [{ value: u.json.id, display: 'carol.okta@client-a.test' }],
    });
    expect(g.status).toBe(201);
    expect(await roles()).toEqual([]);
    // Okta renames with a path-less replace carrying id and displayName: now the mapping applies.
    const renamed = await scim('PATCH', `/Groups/${g.json.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', value: { id: g.json.id, displayName: 'Okta Security' } }],
    });
    expect(renamed.status).toBe(204);
    expect(await roles()).toEqual(['security_officer']);
    const filtered = await scim(
      'GET',
      `/Groups?filter=${encodeURIComponent('displayName eq "okta security"')}&excludedAttributes=members`,
    );
    expect(filtered.json.Resources).toEqual([
      expect.objectContaining({ id: g.json.id, displayName: 'Okta Security' }),
    ]);
    expect(filtered.json.Resources[0].members).toBeUndefined();
    await scim('PATCH', `/Groups/${g.json.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'remove', path: `members[value eq "${u.json.id}"]` }],
    });
    expect(await roles()).toEqual([]);
    const put = await scim('PUT', `/Groups/${g.json.id}`, {
      schemas: [GROUP],
      displayName: 'Okta Security',
      members: [{ value: u.json.id }],
    });
    expect(put.json.members).toHaveLength(1);
    expect(await roles()).toEqual(['security_officer']);
    expect((await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'okta security' })).status).toBe(
      409,
    );
    expect(
      (
        await scim('PATCH', `/Groups/${g.json.id}`, {
          schemas: [PATCH],
          Operations: [
            { op: 'add', path: 'members', value: [{ value: '00000000-0000-4000-8000-000000000000' }] },
          ],
        })
      ).status,
    ).toBe(400);
    expect((await scim('DELETE', `/Groups/${g.json.id}`)).status).toBe(204);
    expect(await roles()).toEqual([]);
    expect((await scim('GET', `/Groups/${g.json.id}`)).status).toBe(404);
    await v.call(
      'PUT',
      '/api/v1/tenants/scim-a/scim/config',
      { defaultRole: 'agent', groupRoles: [] },
      admin,
    );
    expect(await roles()).toEqual(['agent']);
  });

  it("links an existing account without taking it over: deactivation ends only this tenant's access", async () => {
    const other = await v.makeUser([{ role: 'agent', tenant: 'scim-b' }]);
    const s = await v.login(other);
    const linked = await scim('POST', '/Users', {
      schemas: [USER],
      userName: other.email,
      password: PASSWORD,
    });
    expect(linked.status).toBe(201);
    const tenants = async () =>
      (await v.call('GET', '/api/v1/me', undefined, s)).json.user.memberships
        .map((m: { tenant: { slug: string } }) => m.tenant.slug)
        .sort();
    // Not linked before the person accepts the invitation (issue 20).
    expect(await tenants()).toEqual(['scim-b']);
    const inv = await v.call('GET', '/api/v1/me/invitations', undefined, s);
    expect(inv.json.invitations.map((i: { tenant: { slug: string } }) => i.tenant.slug)).toEqual(['scim-a']);
    expect(
      (await v.call('POST', `/api/v1/me/invitations/${inv.json.invitations[0].id}/accept`, undefined, s))
        .status,
    ).toBe(200);
    expect(await tenants()).toEqual(['scim-a', 'scim-b']);
    // The password in the request does not replace the account's own.
    expect(
      (await v.call('POST', '/api/v1/auth/login', { email: other.email, password: PASSWORD })).status,
    ).toBe(401);
    await scim('PATCH', `/Users/${linked.json.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(await tenants()).toEqual(['scim-b']);
    expect((await v.call('GET', '/api/v1/tenants/scim-a/conversations', undefined, s)).status).toBe(404);
    expect((await v.call('GET', '/api/v1/tenants/scim-b/conversations', undefined, s)).status).toBe(200);
  });

  it('filters with and/or, paginates, and rejects bad filters and duplicates with SCIM errors', async () => {
    for (let i = 0; i < 5; i++)
      expect(
        (
          await scim('POST', '/Users', {
            schemas: [USER],
            userName: `page${i}@client-a.test`,
            externalId: `p${i}`,
          })
        ).status,
      ).toBe(201);
    const or = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "page1@client-a.test" or externalId eq "p3"')}`,
    );
    expect(or.json.Resources.map((r: { externalId: string }) => r.externalId).sort()).toEqual(['p1', 'p3']);
    const and = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "page1@client-a.test" and externalId eq "p3"')}`,
    );
    expect(and.json.totalResults).toBe(0);
    const sw = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent('userName sw "page"')}&startIndex=2&count=2`,
    );
    expect(sw.json).toMatchObject({ totalResults: 5, startIndex: 2, itemsPerPage: 2 });
    expect(sw.json.Resources.map((r: { externalId: string }) => r.externalId)).toEqual(['p1', 'p2']);

    const bad = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq')}`);
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    const dup = await scim('POST', '/Users', { schemas: [USER], userName: 'PAGE1@client-a.test' });
    expect(dup.status).toBe(409);
    expect(dup.json.scimType).toBe('uniqueness');
    const badPatch = await scim('PATCH', `/Users/${or.json.Resources[0].id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'jump', path: 'active' }],
    });
    expect(badPatch.status).toBe(400);
    expect((await scim('GET', '/Users/not-a-uuid')).status).toBe(404);
  });

  it("keeps tenants apart: another tenant's token sees nothing of this tenant", async () => {
    const mine = await scim('GET', '/Users');
    expect(mine.json.totalResults).toBeGreaterThan(0);
    const theirs = await scimB('GET', '/Users');
    expect(theirs.json.totalResults).toBe(0);
    const id = mine.json.Resources[0].id;
    expect((await scimB('GET', `/Users/${id}`)).status).toBe(404);
    expect(
      (
        await scimB('PATCH', `/Users/${id}`, {
          schemas: [PATCH],
          Operations: [{ op: 'replace', value: { active: false } }],
        })
      ).status,
    ).toBe(404);
    expect((await scimB('DELETE', `/Users/${id}`)).status).toBe(404);
  });

  it('a revoked token stops working at once', async () => {
    const t = await v.call('POST', '/api/v1/tenants/scim-a/scim/tokens', { name: 'old' }, admin);
    const client = scimClient(v, t.json.token);
    expect((await client('GET', '/Users')).status).toBe(200);
    expect(
      (await v.call('DELETE', `/api/v1/tenants/scim-a/scim/tokens/${t.json.id}`, undefined, admin)).status,
    ).toBe(200);
    expect((await client('GET', '/Users')).status).toBe(401);
    const list = await v.call('GET', '/api/v1/tenants/scim-a/scim/tokens', undefined, admin);
    expect(list.json.tokens.find((x: { id: string }) => x.id === t.json.id).revokedAt).not.toBeNull();
    expect(JSON.stringify(list.json)).not.toContain(t.json.token);
  });
});
