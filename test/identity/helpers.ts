// Shared steps of the identity tests: SCIM calls with a bearer token, and the first sign-in of a
// provisioned account (password from SCIM, TOTP enrolment on the way).
import { sql } from 'drizzle-orm';
import { rows } from '../../src/platform/db.ts';
import { freshTotp, type Res, type Session, type TestVigil } from '../helpers/app.ts';

export function scimClient(v: TestVigil, token: string) {
  return (method: string, path: string, body?: unknown): Promise<Res> =>
    v.call(method, `/scim/v2${path}`, body, null, {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
    });
}

/** Signs in an account that has no TOTP yet: enrols with the offered secret. */
export async function firstLogin(
  v: TestVigil,
  email: string,
  password: string,
  userAgent = 'vigil-test',
): Promise<Session & { totpSecret: string }> {
  const a = await v.call('POST', '/api/v1/auth/login', { email, password }, null, {
    'user-agent': userAgent,
  });
  if (a.status !== 200 || a.json.mfa !== 'totp_enrol') throw new Error(`login: ${a.status} ${a.text}`);
  const totpSecret = new URL(a.json.otpauthUri).searchParams.get('secret')!;
  const b = await v.call(
    'POST',
    '/api/v1/auth/mfa/totp',
    { challenge: a.json.challenge, code: freshTotp(totpSecret) },
    null,
    { 'user-agent': userAgent },
  );
  const cookie = /(?:__Host-)?vigil_session=[^;]+/.exec(b.headers.get('set-cookie') ?? '')?.[0];
  if (b.status !== 200 || !cookie) throw new Error(`mfa: ${b.status} ${b.text}`);
  return { cookie, csrf: b.json.csrfToken, userAgent, totpSecret };
}

export function auditActions(v: TestVigil, tenantId: string | null, action: string) {
  return v.core.db.withOwner((tx) =>
    rows<{
      actor_type: string;
      actor_id: string | null;
      resource_id: string | null;
      outcome: string;
      meta: Record<string, unknown>;
    }>(
      tx,
      tenantId
        ? sql`select actor_type, actor_id, action, resource_id, outcome, meta from audit_events where tenant_id = ${tenantId} and action = ${action} order by seq`
        : sql`select actor_type, actor_id, action, resource_id, outcome, meta from audit_events where tenant_id is null and action = ${action} order by seq`,
    ),
  );
}
