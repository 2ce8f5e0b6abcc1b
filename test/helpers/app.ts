// A real Vigil on a real socket, on a test database, with captured log lines.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newTotpSecret, totpCode } from '../../src/auth/totp.ts';
import type { Role } from '../../src/authz/roles.ts';
import { type Config, loadConfig } from '../../src/platform/config.ts';
import type { Database } from '../../src/platform/db.ts';
import { type RunningVigil, startVigil } from '../../src/runtime.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { testCredentials } from './users.ts';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  totpSecret: string;
}

export interface Session {
  cookie: string;
  csrf: string;
  userAgent: string;
}

export interface Res {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected freely
  json: any;
  text: string;
  headers: Headers;
}

export interface TestVigil extends RunningVigil {
  logs: string[];
  tenant(slug: string): Promise<string>;
  makeUser(roles: Array<{ role: Role; tenant?: string }>, opts?: { enrolled?: boolean }): Promise<TestUser>;
  login(u: TestUser, opts?: { userAgent?: string }): Promise<Session>;
  call(
    method: string,
    path: string,
    body?: unknown,
    s?: Session | null,
    headers?: Record<string, string>,
  ): Promise<Res>;
  close(): Promise<void>;
}

const lastStep = new Map<string, number>();

/** A TOTP code no earlier login of this user has used (one step ahead at most, as the server allows). */
export function freshTotp(secret: string): string {
  const now = Math.floor(Date.now() / 30_000);
  const step = Math.max(now, (lastStep.get(secret) ?? -1) + 1);
  if (step > now + 1) throw new Error('test logs in the same user more than twice in 30 s');
  lastStep.set(secret, step);
  return totpCode(secret, step * 30_000 + 1_000);
}

/**
 * freshTotp for a user who may sign in often: the server takes each TOTP step once (replay
 * protection) and at most one step ahead, so a third sign-in within one step has to wait for the
 * next step to begin. Waits for that clock boundary instead of failing on a fast machine.
 */
export async function nextFreshTotp(secret: string): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    const step = Math.max(now, (lastStep.get(secret) ?? -1) + 1);
    if (step <= now + 1) return freshTotp(secret);
    await new Promise((r) => setTimeout(r, (step - 1) * 30_000 - Date.now() + 50));
  }
}

export async function startTestVigil(
  overrides: Partial<Config> = {},
  /** Another instance on an existing database and data dir (a restore target, a second node). */
  on: { db?: TestDatabase; dataDir?: string; wrapDb?: (db: Database) => Database } = {},
): Promise<TestVigil> {
  const t = on.db ?? (await createTestDatabase({ migrate: false }));
  const dataDir = on.dataDir ?? mkdtempSync(join(tmpdir(), 'vigil-test-'));
  const logs: string[] = [];
  const config = loadConfig(
    {},
    {
      port: 0,
      dataDir,
      logLevel: 'info',
      loginMaxPerIpPerMinute: 10_000,
      // Tests open many anonymous chat visitors from one address; the flood test sets its own.
      widgetAnonymousPerIpPerMinute: 10_000,
      ...overrides,
    },
  );
  const v = await startVigil(config, {
    db: on.wrapDb ? on.wrapDb(t.db) : t.db,
    logDestination: { write: (s: string) => void logs.push(s) },
  });
  const tenantIds = new Map<string, string>();

  async function tenant(slug: string): Promise<string> {
    const known = tenantIds.get(slug) ?? (await v.tenancy.tenantBySlug(slug))?.id;
    const id = known ?? (await v.tenancy.createTenant({ slug, name: `Tenant ${slug}` })).id;
    tenantIds.set(slug, id);
    return id;
  }

  async function call(
    method: string,
    path: string,
    body?: unknown,
    s?: Session | null,
    headers: Record<string, string> = {},
  ): Promise<Res> {
    const h: Record<string, string> = { 'user-agent': s?.userAgent ?? 'vigil-test', ...headers };
    if (body !== undefined) h['content-type'] ??= 'application/json';
    if (s) {
      h.cookie = s.cookie;
      h['x-csrf-token'] ??= s.csrf;
    }
    const r = await fetch(v.url + path, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await r.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: r.status, json, text, headers: r.headers };
  }

  return {
    ...v,
    logs,
    tenant,
    async makeUser(roles, opts = {}) {
      const { email, displayName, password } = testCredentials();
      const totpSecret = newTotpSecret();
      const memberships = [];
      for (const r of roles)
        memberships.push({ role: r.role, tenantId: r.tenant ? await tenant(r.tenant) : null });
      const u = await v.tenancy.createUser({
        email,
        displayName,
        password,
        ...(opts.enrolled === false ? {} : { totpSecret }),
        memberships,
      });
      return { id: u.id, email, password, totpSecret };
    },
    async login(u, opts = {}) {
      const userAgent = opts.userAgent ?? 'vigil-test';
      // Before the password step, so that a wait for the next TOTP step never outlives a challenge.
      const code = await nextFreshTotp(u.totpSecret);
      const a = await call('POST', '/api/v1/auth/login', { email: u.email, password: u.password }, null, {
        'user-agent': userAgent,
      });
      if (a.status !== 200) throw new Error(`login failed: ${a.status} ${a.text}`);
      const b = await call('POST', '/api/v1/auth/mfa/totp', { challenge: a.json.challenge, code }, null, {
        'user-agent': userAgent,
      });
      const cookie = /(?:__Host-)?vigil_session=[^;]+/.exec(b.headers.get('set-cookie') ?? '')?.[0];
      if (b.status !== 200 || !cookie) throw new Error(`mfa failed: ${b.status} ${b.text}`);
      return { cookie, csrf: b.json.csrfToken, userAgent };
    },
    call,
    async close() {
      await v.stop();
      await t.drop();
    },
  };
}
