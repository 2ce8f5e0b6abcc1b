// A tenant with a queue, an agent in it and the chat widget, plus HTTP helpers that work against
// any node's URL (the multi-node and fault tests talk to several nodes).
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { newTotpSecret } from '../../src/auth/totp.ts';
import { pgTextArray } from '../../src/ingest/index.ts';
import { type Database, rows } from '../../src/platform/db.ts';
import { issueApiToken } from '../../src/tenancy/index.ts';
import type { TenancyService } from '../../src/tenancy/service.ts';
import { freshTotp, type Session, type TestUser } from '../helpers/app.ts';
import { testCredentials } from '../helpers/users.ts';

export interface ClusterWorld {
  tenantId: string;
  slug: string;
  queueId: string;
  agent: TestUser;
  voiceToken: string;
}

export async function seedWorld(db: Database, tenancy: TenancyService): Promise<ClusterWorld> {
  const slug = `mn-${randomBytes(3).toString('hex')}`;
  const { id: tenantId } = await tenancy.createTenant({ slug, name: `Tenant ${slug}` });
  const { email, displayName, password } = testCredentials('Agent');
  const totpSecret = newTotpSecret();
  const { id } = await tenancy.createUser({
    email,
    displayName,
    password,
    totpSecret,
    memberships: [{ role: 'agent', tenantId }],
  });
  const queueId = await db.withTenant(tenantId, async (tx) => {
    const [q] = await rows<{ id: string }>(
      tx,
      sql`insert into queues (tenant_id, name) values (${tenantId}, 'main') returning id`,
    );
    await tx.execute(
      sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenantId}, ${q!.id}, ${id})`,
    );
    await tx.execute(sql`insert into chat_widget_settings (tenant_id, allowed_origins, queue_id)
      values (${tenantId}, ${pgTextArray(['http://localhost'])}::text[], ${q!.id})`);
    return q!.id;
  });
  const { token: voiceToken } = await issueApiToken(db, { tenantId, name: 'pbx', scopes: ['calls:write'] });
  return { tenantId, slug, queueId, agent: { id, email, password, totpSecret }, voiceToken };
}

export interface Res {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected freely
  json: any;
  text: string;
  ms: number;
}

export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  s?: Session | null,
  headers: Record<string, string> = {},
): Promise<Res> {
  const h: Record<string, string> = { 'user-agent': s?.userAgent ?? 'vigil-test', ...headers };
  if (body !== undefined) h['content-type'] = 'application/json';
  if (s) {
    h.cookie = s.cookie;
    h['x-csrf-token'] = s.csrf;
  }
  const t0 = performance.now();
  const r = await fetch(base + path, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await r.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: r.status, json, text, ms: performance.now() - t0 };
}

export async function loginAt(base: string, u: TestUser): Promise<Session> {
  const a = await call(base, 'POST', '/api/v1/auth/login', { email: u.email, password: u.password });
  if (a.status !== 200) throw new Error(`login failed: ${a.status} ${a.text}`);
  const r = await fetch(`${base}/api/v1/auth/mfa/totp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'vigil-test' },
    body: JSON.stringify({ challenge: a.json.challenge, code: freshTotp(u.totpSecret) }),
  });
  const cookie = /vigil_session=[^;]+/.exec(r.headers.get('set-cookie') ?? '')?.[0];
  const b = (await r.json()) as { csrfToken: string };
  if (r.status !== 200 || !cookie) throw new Error(`mfa failed: ${r.status}`);
  return { cookie, csrf: b.csrfToken, userAgent: 'vigil-test' };
}
