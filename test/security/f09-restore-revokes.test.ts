// Finding 9 (pen test, issue 20): restoring a backup brought back the sessions and API tokens of
// the backup time. Attack: a cookie (or an integration token) that was valid when the backup was
// taken works again after `vigil restore`. Now the restore revokes them all and says so.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { newTotpSecret } from '../../src/auth/totp.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { type RunningVigil, startVigil } from '../../src/runtime.ts';
import { freshTotp } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase, testDbKind } from '../helpers/db.ts';

const run = promisify(execFile);
const masterKey = randomBytes(32).toString('base64');
const UA = 'restore-attacker';
const dirs: string[] = [];
const dbs: TestDatabase[] = [];

async function instance(): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    VIGIL_DATA_DIR: mkdtempSync(join(tmpdir(), 'vigil-sec-restore-')),
    VIGIL_MASTER_KEY: masterKey,
  };
  dirs.push(env.VIGIL_DATA_DIR as string);
  delete env.DATABASE_URL;
  if (testDbKind === 'postgres') {
    const t = await createTestDatabase({ migrate: false });
    dbs.push(t);
    await t.db.close();
    env.DATABASE_URL = t.url!;
  }
  return env;
}

/** The server of an instance, in process, on its configured database. */
const serve = (env: Record<string, string>): Promise<RunningVigil> =>
  startVigil(
    loadConfig(
      {},
      {
        port: 0,
        dataDir: env.VIGIL_DATA_DIR as string,
        masterKey,
        logLevel: 'silent',
        ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
      },
    ),
  );

async function vigil(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(process.execPath, ['bin/vigil.mjs', ...args], { env, timeout: 120_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  h: Record<string, string> = {},
) {
  const r = await fetch(base + path, {
    method,
    headers: { 'user-agent': UA, ...(body ? { 'content-type': 'application/json' } : {}), ...h },
    body: body ? JSON.stringify(body) : undefined,
  });
  // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected freely
  const json: any = await r.json().catch(() => null);
  return { status: r.status, headers: r.headers, json };
}

describe(`restore revokes what was issued before it (${testDbKind})`, () => {
  afterAll(async () => {
    for (const t of dbs) await t.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a session cookie and an API token of the backup time do not work after `vigil restore`', async () => {
    const a = await instance();
    const live = await serve(a);
    const { id: tenantId } = await live.tenancy.createTenant({ slug: 'restore-sec', name: 'Restore' });
    const totpSecret = newTotpSecret();
    const user = { email: 'admin@restore.test', password: `pw-${randomBytes(12).toString('base64url')}` };
    await live.tenancy.createUser({
      ...user,
      displayName: 'Admin',
      totpSecret,
      memberships: [{ role: 'tenant_admin', tenantId }],
    });
    const first = await call(live.url, 'POST', '/api/v1/auth/login', user);
    const second = await call(live.url, 'POST', '/api/v1/auth/mfa/totp', {
      challenge: first.json.challenge,
      code: freshTotp(totpSecret),
    });
    const cookie = /vigil_session=[^;]+/.exec(second.headers.get('set-cookie') ?? '')![0];
    const session = { cookie, 'x-csrf-token': second.json.csrfToken };
    const token = await call(
      live.url,
      'POST',
      '/api/v1/tenants/restore-sec/api-tokens',
      { name: 'pbx', scopes: ['calls:write'] },
      session,
    );
    expect(token.status).toBe(201);
    expect((await call(live.url, 'GET', '/api/v1/me', undefined, { cookie })).status).toBe(200);
    await live.stop();

    const out = join(mkdtempSync(join(tmpdir(), 'vigil-sec-restore-out-')), 'backup');
    dirs.push(out);
    expect((await vigil(a, 'backup', '--out', out)).code).toBe(0);
    const b = await instance();
    const restored = await vigil(b, 'restore', '--from', out, '--ledger-dir', a.VIGIL_DATA_DIR as string);
    expect(restored.code).toBe(0);
    // The operator is told.
    expect(restored.out).toMatch(/revoked everything issued before the restore: 1 sessions, 1 API tokens/);

    const after = await serve(b);
    try {
      const me = await call(after.url, 'GET', '/api/v1/me', undefined, { cookie });
      expect(me.status).toBe(401);
      const calls = await call(
        after.url,
        'POST',
        '/api/v1/tenants/restore-sec/calls',
        { from: '+49301234567' },
        {
          authorization: `Bearer ${token.json.token}`,
        },
      );
      expect(calls.status).toBe(401);
      expect(calls.json.error.code).toBe('unauthenticated');
      // The people themselves still sign in.
      const again = await call(after.url, 'POST', '/api/v1/auth/login', user);
      expect(again.status).toBe(200);
    } finally {
      await after.stop();
    }
  }, 600_000);
});
