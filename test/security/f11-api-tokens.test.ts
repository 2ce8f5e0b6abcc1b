// Finding 11d (pen test, issue 20): API tokens could not be listed, so a tenant admin could not
// see (or revoke) a forgotten or leaked integration token. Now they are listed as metadata only,
// never the secret, and revoked tokens stop working at once; other tenants see nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

describe(`API token inventory (${testDbKind})`, () => {
  let v: TestVigil;
  let admin: Session;
  let otherAdmin: Session;
  let agent: Session;

  beforeAll(async () => {
    v = await startTestVigil();
    admin = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: 'tok-a' }]));
    otherAdmin = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: 'tok-b' }]));
    agent = await v.login(await v.makeUser([{ role: 'agent', tenant: 'tok-a' }]));
  }, 300_000);
  afterAll(() => v.close());

  it('lists metadata without the secret, revokes, and the revoked token no longer authenticates', async () => {
    const made = await v.call(
      'POST',
      '/api/v1/tenants/tok-a/api-tokens',
      { name: 'pbx', scopes: ['calls:write'], expiresInDays: 30 },
      admin,
    );
    expect(made.status).toBe(201);
    const secret = made.json.token as string;
    const list = await v.call('GET', '/api/v1/tenants/tok-a/api-tokens', undefined, admin);
    expect(list.status).toBe(200);
    const t = list.json.tokens.find((x: { id: string }) => x.id === made.json.id);
    expect(t).toMatchObject({ name: 'pbx', scopes: ['calls:write'], revokedAt: null });
    expect(t.expiresAt).toBeTruthy();
    expect(list.text).not.toContain(secret);
    expect(list.text).not.toMatch(/token_hash|tokenHash|"token"/);

    // Another tenant's admin and an agent see nothing of it.
    expect((await v.call('GET', '/api/v1/tenants/tok-a/api-tokens', undefined, otherAdmin)).status).toBe(404);
    expect((await v.call('GET', '/api/v1/tenants/tok-a/api-tokens', undefined, agent)).status).toBe(403);
    const theirs = await v.call('GET', '/api/v1/tenants/tok-b/api-tokens', undefined, otherAdmin);
    expect(theirs.json.tokens.map((x: { id: string }) => x.id)).not.toContain(made.json.id);

    const use = () =>
      v.call('POST', '/api/v1/tenants/tok-a/calls', {}, null, { authorization: `Bearer ${secret}` });
    expect((await use()).status).not.toBe(401);
    expect(
      (await v.call('DELETE', `/api/v1/tenants/tok-a/api-tokens/${made.json.id}`, undefined, admin)).status,
    ).toBe(200);
    const after = await v.call('GET', '/api/v1/tenants/tok-a/api-tokens', undefined, admin);
    expect(after.json.tokens.find((x: { id: string }) => x.id === made.json.id).revokedAt).toBeTruthy();
    const refused = await use();
    expect(refused.status).toBe(401);
    expect(refused.json.error.code).toBe('unauthenticated');
  });
});
