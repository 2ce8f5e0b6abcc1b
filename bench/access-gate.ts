// What the tenant access gate costs: the same agent request (conversation list) against a tenant
// without policies (the cached fast path) and against tenants with a network allow-list, and with
// device approval plus a required training (one extra transaction), measured in one run.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'drizzle-orm';
import { newTotpSecret, totpCode } from '../src/auth/totp.ts';
import { loadConfig } from '../src/platform/config.ts';
import { startVigil } from '../src/runtime.ts';

const UA = 'vigil-bench';
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(opts, (e, r) => (e ? reject(e) : resolve(r))));
}

export async function benchAccessGate(
  opts: { databaseUrl?: string; seconds?: number; connections?: number } = {},
) {
  const seconds = opts.seconds ?? 5;
  const connections = opts.connections ?? 20;
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-access-'));
  const config = loadConfig(
    {},
    { port: 0, dataDir, logLevel: 'warn', ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}) },
  );
  const v = await startVigil(config);
  const call = async (method: string, path: string, body?: unknown, cookie?: string, csrf?: string) => {
    const r = await fetch(v.url + path, {
      method,
      headers: {
        'user-agent': UA,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(cookie ? { cookie } : {}),
        ...(csrf ? { 'x-csrf-token': csrf } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return {
      status: r.status,
      json: (await r.json().catch(() => null)) as { challenge: string; csrfToken: string; id: string },
      setCookie: r.headers.get('set-cookie') ?? '',
    };
  };
  try {
    const slugs = ['gate-open', 'gate-network', 'gate-full'];
    const ids: Record<string, string> = {};
    for (const slug of slugs) ids[slug] = (await v.tenancy.createTenant({ slug, name: slug })).id;
    const mk = async (role: 'agent' | 'tenant_admin') => {
      const totpSecret = newTotpSecret();
      const email = `${role}-${Math.random().toString(36).slice(2)}@bench.test`;
      const password = `Pw-${randomBytes(12).toString('base64url')}`;
      await v.tenancy.createUser({
        email,
        displayName: 'Bench',
        password,
        totpSecret,
        memberships: slugs.map((s) => ({ tenantId: ids[s]!, role })),
      });
      const a = await call('POST', '/api/v1/auth/login', { email, password });
      const b = await call('POST', '/api/v1/auth/mfa/totp', {
        challenge: a.json.challenge,
        code: totpCode(totpSecret),
      });
      return { cookie: /vigil_session=[^;]+/.exec(b.setCookie)![0], csrf: b.json.csrfToken as string };
    };
    const admin = await mk('tenant_admin');
    const agent = await mk('agent');
    await call(
      'PUT',
      '/api/v1/tenants/gate-network/access/policies/agent',
      { ipAllow: ['127.0.0.0/8', '::1/128'], deviceApproval: false },
      admin.cookie,
      admin.csrf,
    );
    await call(
      'PUT',
      '/api/v1/tenants/gate-full/access/policies/agent',
      { ipAllow: ['127.0.0.0/8', '::1/128'], deviceApproval: true },
      admin.cookie,
      admin.csrf,
    );
    const t = await call(
      'POST',
      '/api/v1/tenants/gate-full/trainings',
      { title: 'Bench training', validityMonths: 12 },
      admin.cookie,
      admin.csrf,
    );
    const d = await call('POST', '/api/v1/devices', undefined, agent.cookie, agent.csrf);
    const device = /vigil_device=[^;]+/.exec(d.setCookie)![0];
    const cookie = `${agent.cookie}; ${device}`;
    // The device files its approval request on first use; approve it as a supervisor would.
    await call('GET', '/api/v1/tenants/gate-full/conversations', undefined, cookie);
    await v.core.db.withTenant(ids['gate-full']!, (tx) =>
      tx.execute(sql`update device_approvals set status = 'approved', decided_at = now()`),
    );
    // Completing a training is a tenant request too: it needs the approved device.
    await call(
      'POST',
      `/api/v1/tenants/gate-full/trainings/${t.json.id}/completions`,
      {},
      cookie,
      agent.csrf,
    );
    const out: Record<string, unknown> = {
      connections,
      seconds,
      order: 'open,network,full,full,network,open (warm-up first)',
    };
    for (const slug of slugs) {
      const check = await call('GET', `/api/v1/tenants/${slug}/conversations`, undefined, cookie);
      if (check.status !== 200) throw new Error(`${slug} answered ${check.status}`);
    }
    const headers = { cookie, 'user-agent': UA };
    const at = (slug: string) => `${v.url}/api/v1/tenants/${slug}/conversations`;
    await run({ url: at('gate-open'), connections, duration: 1, headers }); // warm-up, not counted
    // Interleaved A B C C B A, so load drift on a shared machine hits every scenario alike.
    const runs: Record<string, autocannon.Result[]> = {
      'gate-open': [],
      'gate-network': [],
      'gate-full': [],
    };
    for (const slug of [...slugs, ...[...slugs].reverse()])
      runs[slug]!.push(await run({ url: at(slug), connections, duration: seconds, headers }));
    const rps = (slug: string) =>
      runs[slug]!.reduce((n, r) => n + r.requests.average, 0) / runs[slug]!.length;
    for (const slug of slugs)
      out[slug] = {
        reqPerSec: round(rps(slug), 0),
        p50Ms: Math.max(...runs[slug]!.map((r) => r.latency.p50)),
        p99Ms: Math.max(...runs[slug]!.map((r) => r.latency.p99)),
        non2xx: runs[slug]!.reduce((n, r) => n + r.non2xx, 0),
      };
    out.ratioNetworkToOpen = round(rps('gate-network') / rps('gate-open'), 3);
    out.ratioFullToOpen = round(rps('gate-full') / rps('gate-open'), 3);
    // Let the last in-flight requests finish before the database closes.
    await new Promise((r) => setTimeout(r, 500));
    return out;
  } finally {
    await v.stop();
  }
}
