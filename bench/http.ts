// Authenticated conversation read (session + authz + decrypt + audit) against a bare Fastify
// route returning the same bytes, both served by this process, measured in one run by a load
// generator in a process of its own (loadgen.ts). Per authenticated request the bench prints
// the database round trips and transactions it cost (dbCounters).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import Fastify from 'fastify';
import { totpCode } from '../src/auth/totp.ts';
import { readDemoCredentials } from '../src/demo/seed.ts';
import { loadConfig } from '../src/platform/config.ts';
import { dbCounters } from '../src/platform/db.ts';
import { startVigil } from '../src/runtime.ts';
import { runLoad } from './loadgen.ts';
import type { PacedResult } from './paced.ts';
import { round, rssSampler } from './util.ts';

const UA = 'vigil-bench';

async function req(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  cookie?: string,
  csrf?: string,
) {
  const headers: Record<string, string> = {
    'user-agent': UA,
    ...(body ? { 'content-type': 'application/json' } : {}),
    ...(cookie ? { cookie } : {}),
    ...(csrf ? { 'x-csrf-token': csrf } : {}),
  };
  const r = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  return {
    status: r.status,
    // biome-ignore lint/suspicious/noExplicitAny: bench answers are inspected freely
    json: (await r.json().catch(() => null)) as any,
    setCookie: r.headers.get('set-cookie') ?? '',
  };
}

async function login(base: string, email: string, password: string, secret: string) {
  const a = await req(base, 'POST', '/api/v1/auth/login', { email, password });
  const b = await req(base, 'POST', '/api/v1/auth/mfa/totp', {
    challenge: a.json.challenge,
    code: totpCode(secret),
  });
  return { cookie: /vigil_session=[^;]+/.exec(b.setCookie)![0], csrf: b.json.csrfToken as string };
}

const run = (opts: autocannon.Options) => runLoad({ kind: 'autocannon', opts });
const paced = (opts: Extract<Parameters<typeof runLoad>[0], { kind: 'paced' }>['opts']) =>
  runLoad({ kind: 'paced', opts });

/** Runs a load and adds the database round trips and transactions per completed request. */
async function counted<R extends autocannon.Result | PacedResult>(load: () => Promise<R>) {
  const before = { ...dbCounters };
  const r = await load();
  const done = 'completed' in r ? r.completed + r.non2xx : r.requests.total;
  const per = (k: keyof typeof dbCounters) => (done ? round((dbCounters[k] - before[k]) / done, 2) : 0);
  return { r, db: { roundTripsPerRequest: per('roundTrips'), transactionsPerRequest: per('transactions') } };
}

const summary = (r: autocannon.Result) => ({
  reqPerSec: round(r.requests.average, 0),
  p50Ms: r.latency.p50,
  p99Ms: r.latency.p99,
  non2xx: r.non2xx,
  errors: r.errors,
  timeouts: r.timeouts,
});

export async function benchHttp(opts: { databaseUrl?: string; seconds?: number } = {}) {
  const seconds = opts.seconds ?? 8;
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-http-'));
  const config = loadConfig(
    {},
    {
      port: 0,
      dataDir,
      demo: true,
      logLevel: 'warn',
      loginMaxPerIpPerMinute: 1000,
      ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
    },
  );
  const v = await startVigil(config);
  const idleRssMb = Math.round(process.memoryUsage().rss / 1e6);
  const users = readDemoCredentials(dataDir)!;
  const agent = users.find((u) => u.email.startsWith('anna'))!;
  const so = users.find((u) => u.role === 'security_officer')!;
  const s = await login(v.url, agent.email, agent.password, agent.totpSecret);
  const o = await login(v.url, so.email, so.password, so.totpSecret);
  // A load test reads one conversation thousands of times a second: that is exactly what the
  // insider rules exist to stop, so they are switched off for the benchmark tenant.
  for (const rule of ['view_burst', 'view_volume', 'bulk_read']) {
    await req(
      v.url,
      'PUT',
      `/api/v1/tenants/acme-shop/monitoring/rules/${rule}`,
      { enabled: false },
      o.cookie,
      o.csrf,
    );
  }
  const list = await req(
    v.url,
    'GET',
    '/api/v1/tenants/acme-shop/conversations?limit=5',
    undefined,
    s.cookie,
  );
  const convId = list.json.items?.[0]?.id ?? list.json.conversations?.[0]?.id;
  const path = `/api/v1/tenants/acme-shop/conversations/${convId}`;
  const sample = await fetch(v.url + path, { headers: { cookie: s.cookie, 'user-agent': UA } });
  const bytes = Buffer.from(await sample.arrayBuffer());
  if (sample.status !== 200) throw new Error(`conversation read answered ${sample.status}`);

  const bare = Fastify();
  bare.get('/same-bytes', async (_q, reply) => reply.type('application/json').send(bytes));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/same-bytes`;

  const rss = rssSampler();
  const headers = { cookie: s.cookie, 'user-agent': UA };
  const out: Record<string, unknown> = { responseBytes: bytes.length, idleRssMbAfterStart: idleRssMb };
  for (const connections of [50, 200]) {
    const base = await run({ url: bareUrl, connections, duration: seconds });
    const { r: auth, db } = await counted(() =>
      run({ url: v.url + path, connections, duration: seconds, headers }),
    );
    out[`c${connections}`] = {
      baseline: summary(base),
      authenticatedRead: { ...summary(auth), ...db },
      ratio: round(auth.requests.average / base.requests.average, 3),
    };
  }
  const fixedBase = await run({ url: bareUrl, connections: 50, duration: seconds, overallRate: 500 });
  const fixed = await run({
    url: v.url + path,
    connections: 50,
    duration: seconds,
    overallRate: 500,
    headers,
  });
  // The same 500 req/s, paced evenly (see paced.ts): the steady-state latency.
  const pacedBase = await paced({ url: bareUrl, rate: 500, seconds });
  const pacedAuth = await counted(() => paced({ url: v.url + path, headers, rate: 500, seconds }));
  out.fixed500 = {
    baseline: summary(fixedBase),
    authenticatedRead: summary(fixed),
    pacedBaseline: pacedBase,
    pacedAuthenticatedRead: { ...pacedAuth.r, ...pacedAuth.db },
  };
  out.memory = rss.stop();
  await bare.close();
  await v.stop();
  return out;
}
