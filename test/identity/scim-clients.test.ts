// SCIM requests exactly as Entra ID's and Okta's provisioning clients send them: the SCIM content
// type on every request (DELETE and GET too, with an empty body), Entra's capitalised ops with a
// path and string booleans, Okta's PUT and path-less PATCH for active=false.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Res, startTestVigil, type TestVigil } from '../helpers/app.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('SCIM with the request shapes of Entra ID and Okta', () => {
  let v: TestVigil;
  let idp: (method: string, path: string, body?: unknown) => Promise<Pick<Res, 'status' | 'json'>>;

  beforeAll(async () => {
    v = await startTestVigil();
    await v.tenant('scim-idp');
    const admin = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: 'scim-idp' }]));
    const token = (await v.call('POST', '/api/v1/tenants/scim-idp/scim/tokens', { name: 'IdP' }, admin)).json
      .token as string;
    // Both clients send the header whether or not there is a body.
    idp = async (method, path, body) => {
      const r = await fetch(`${v.url}/scim/v2${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json; charset=utf-8' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : null };
    };
  });
  afterAll(() => v.close());

  const create = async (userName: string) => {
    const r = await idp('POST', '/Users', { schemas: [USER], userName, active: true });
    expect(r.status).toBe(201);
    return r.json.id as string;
  };

  it('Entra ID: GET and DELETE with the SCIM content type and no body; Replace with a path', async () => {
    const id = await create('erin.entra@idp.test');
    expect((await idp('GET', `/Users/${id}`)).status).toBe(200);
    const off = await idp('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(off.status).toBe(200);
    expect(off.json.active).toBe(false);
    const renamed = await idp('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', value: { 'name.givenName': 'Erin', active: true } },
        { op: 'Add', path: 'emails[type eq "work"].value', value: 'erin.entra@idp.test' },
      ],
    });
    expect(renamed.json).toMatchObject({ active: true, name: { givenName: 'Erin' } });
    const del = await idp('DELETE', `/Users/${id}`);
    expect(del.status).toBe(204);
    expect((await idp('GET', `/Users/${id}`)).status).toBe(404);
  });

  it('Okta: PUT active=false, PATCH active=false without a path, DELETE with the header', async () => {
    const id = await create('otto.okta@idp.test');
    const put = await idp('PUT', `/Users/${id}`, {
      schemas: [USER],
      id,
      userName: 'otto.okta@idp.test',
      active: false,
    });
    expect(put.status).toBe(200);
    expect(put.json.active).toBe(false);
    const on = await idp('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    expect(on.json.active).toBe(true);
    const off = await idp('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(off.json.active).toBe(false);
    expect((await idp('DELETE', `/Users/${id}`)).status).toBe(204);
    // A group too, and an empty body where a body is required is still a SCIM 400.
    const g = await idp('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Okta Agents',
    });
    expect(g.status).toBe(201);
    expect((await idp('DELETE', `/Groups/${g.json.id}`)).status).toBe(204);
    const empty = await idp('POST', '/Users');
    expect(empty.status).toBe(400);
    expect(empty.json.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  });
});
