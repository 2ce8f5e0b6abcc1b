// `npm run soak [-- --minutes 10 --rate 100 --window-seconds 60 --pg URL]`: a bounded load test at a
// fixed rate (autocannon -R), 80 % authenticated conversation reads and 20 % voice-transcript
// ingest (new messages through the whole pipeline). Prints one JSON document: errors, p99 and
// RSS per window, and verdicts on p99 stability and memory growth. Server and load generator run
// in this process (like `npm run bench`), so RSS includes autocannon; its share is constant.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { totpCode } from '../src/auth/totp.ts';
import { readDemoCredentials } from '../src/demo/seed.ts';
import { loadConfig } from '../src/platform/config.ts';
import { startVigil } from '../src/runtime.ts';
import { issueApiToken } from '../src/tenancy/index.ts';
import { pacedLoad } from './paced.ts';
import { createScratchDatabase, round } from './util.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '100' },
    'window-seconds': { type: 'string', default: '60' },
    pg: { type: 'string' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const windowSeconds = Number(values['window-seconds']);
if (!(minutes > 0 && minutes <= 24 * 60 && rate > 0 && rate <= 5000 && windowSeconds >= 5)) {
  process.stderr.write(
    'usage: npm run soak -- [--minutes 10] [--rate 100] [--window-seconds 60] [--pg URL]\n',
  );
  process.exit(2);
}
const windows = Math.max(1, Math.round((minutes * 60) / windowSeconds));
const UA = 'vigil-soak';

interface CannonResult {
  latency: { p50: number; p99: number };
  requests: { average: number; total?: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
const run = (opts: Record<string, unknown>) =>
  new Promise<CannonResult>((res, rej) =>
    (autocannon as unknown as (o: unknown, cb: (e: Error | null, r: CannonResult) => void) => unknown)(
      opts,
      (e, r) => (e ? rej(e) : res(r)),
    ),
  );

async function req(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const r = await fetch(base + path, {
    method,
    headers: { 'user-agent': UA, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  return {
    status: r.status,
    // biome-ignore lint/suspicious/noExplicitAny: bench responses are inspected freely
    json: (await r.json().catch(() => null)) as any,
    setCookie: r.headers.get('set-cookie') ?? '',
  };
}

async function login(base: string, u: { email: string; password: string; totpSecret: string }) {
  const a = await req(base, 'POST', '/api/v1/auth/login', { email: u.email, password: u.password });
  const b = await req(base, 'POST', '/api/v1/auth/mfa/totp', {
    challenge: a.json.challenge,
    code: totpCode(u.totpSecret),
  });
  return { cookie: /vigil_session=[^;]+/.exec(b.setCookie)![0], csrf: b.json.csrfToken as string };
}

const dataDir = mkdtempSync(join(tmpdir(), 'vigil-soak-'));
const pgServer = values.pg ?? process.env.SOAK_DATABASE_URL;
const scratch = pgServer ? await createScratchDatabase(pgServer) : undefined;
const pg = scratch?.url;
const v = await startVigil(
  loadConfig(
    {},
    {
      port: 0,
      dataDir,
      demo: true,
      logLevel: 'warn',
      loginMaxPerIpPerMinute: 1000,
      // Sessions must outlive the run (idle timeout is refreshed by the reads anyway).
      sessionAbsoluteHours: 24,
      ...(pg ? { databaseUrl: pg } : {}),
    },
  ),
);
const users = readDemoCredentials(dataDir)!;
const agent = users.find((u) => u.email.startsWith('anna'))!;
const so = users.find((u) => u.role === 'security_officer')!;
const s = await login(v.url, agent);
const o = await login(v.url, so);
// Thousands of reads of one conversation are what insider monitoring exists to stop: off here.
for (const rule of ['view_burst', 'view_volume', 'bulk_read'])
  await req(
    v.url,
    'PUT',
    `/api/v1/tenants/acme-shop/monitoring/rules/${rule}`,
    { enabled: false },
    { cookie: o.cookie, 'x-csrf-token': o.csrf },
  );
const list = await req(v.url, 'GET', '/api/v1/tenants/acme-shop/conversations?limit=5', undefined, {
  cookie: s.cookie,
});
const convId = list.json.items?.[0]?.id ?? list.json.conversations?.[0]?.id;
const readPath = `/api/v1/tenants/acme-shop/conversations/${convId}`;
const tenant = await v.tenancy.tenantBySlug('acme-shop');
const { token } = await issueApiToken(v.core.db, {
  tenantId: tenant!.id,
  name: 'soak',
  scopes: ['calls:write'],
});
const bearer = { authorization: `Bearer ${token}`, 'user-agent': UA };
const callRes = await req(
  v.url,
  'POST',
  '/api/v1/tenants/acme-shop/calls',
  { from: '+4930123456', to: '+4930654321', direction: 'inbound' },
  bearer,
);
if (callRes.status !== 201) throw new Error(`soak set-up: call answered ${callRes.status}`);
const transcriptPath = `/api/v1/tenants/acme-shop/calls/${callRes.json.callId}/transcript`;
let seq = 0;

const readRate = Math.max(1, Math.round(rate * 0.8));
const ingestRate = Math.max(1, rate - readRate);
const rssMb = () => Math.round(process.memoryUsage().rss / 1e6);
const perWindow: Array<Record<string, number>> = [];
const startRss = rssMb();
for (let i = 0; i < windows; i++) {
  // Event-loop delay tells a stall of this process (GC, synchronous work) from a wait elsewhere.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  // Paced (open loop, see paced.ts): autocannon's -R sends each second's quota as one burst.
  const [reads, ingest] = await Promise.all([
    pacedLoad({
      url: v.url + readPath,
      connections: 20,
      seconds: windowSeconds,
      rate: readRate,
      headers: { cookie: s.cookie, 'user-agent': UA },
    }),
    pacedLoad({
      url: v.url + transcriptPath,
      connections: 10,
      seconds: windowSeconds,
      rate: ingestRate,
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: () =>
        JSON.stringify({
          segments: [
            { seq: seq++, speaker: 'customer', text: `Ich rufe wegen Rechnung ${seq} an, Kundennummer 4711` },
          ],
        }),
    }),
  ]);
  perWindow.push({
    window: i + 1,
    readP50Ms: reads.p50Ms,
    readP99Ms: reads.p99Ms,
    ingestP99Ms: ingest.p99Ms,
    readReqPerSec: round(reads.completed / windowSeconds, 1),
    ingestReqPerSec: round(ingest.completed / windowSeconds, 1),
    errors: reads.errors + reads.non2xx + ingest.errors + ingest.non2xx,
    rssMb: rssMb(),
    loopDelayP99Ms: round(loop.percentile(99) / 1e6, 1),
    loopDelayMaxMs: round(loop.max / 1e6, 1),
  });
  loop.disable();
  process.stderr.write(`${JSON.stringify(perWindow[perWindow.length - 1])}\n`);
}

// Memory: least-squares slope of RSS over the windows after the first (warm-up), in MB/minute.
const tail = perWindow.length > 2 ? perWindow.slice(1) : perWindow;
const xs = tail.map((w) => (w.window! * windowSeconds) / 60);
const ys = tail.map((w) => w.rssMb!);
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const mx = mean(xs);
const my = mean(ys);
const den = xs.reduce((acc, x) => acc + (x - mx) ** 2, 0);
const slope = den > 0 ? xs.reduce((acc, x, k) => acc + (x - mx) * (ys[k]! - my), 0) / den : 0;
const growthMb = (perWindow[perWindow.length - 1]!.rssMb ?? 0) - (perWindow[0]!.rssMb ?? 0);
const p99s = perWindow.map((w) => w.readP99Ms!);
const sortedP99 = [...p99s].sort((a, b) => a - b);
const medianP99 = sortedP99[Math.floor(sortedP99.length / 2)]!;
const errors = perWindow.reduce((a, w) => a + w.errors!, 0);
// Stable: no window's read p99 above twice the median (plus 5 ms for timer noise).
const p99Stable = p99s.every((p) => p <= 2 * medianP99 + 5);
// Flat: RSS grows less than 30 MB or 10 % over the run after warm-up, and the trend agrees.
const memoryFlat =
  growthMb <= Math.max(30, perWindow[0]!.rssMb! * 0.1) && slope * minutes <= Math.max(30, my * 0.1);
// The fixed rate must actually be delivered, or latency and memory say little (90 % or better).
const achieved = mean(perWindow.map((w) => w.readReqPerSec! + w.ingestReqPerSec!));
const rateSustained = achieved >= rate * 0.9;
const result = {
  startedAt: new Date(Date.now() - minutes * 60_000).toISOString(),
  database: v.core.db.kind,
  minutes,
  windowSeconds,
  rateReqPerSec: { total: rate, reads: readRate, ingest: ingestRate },
  messagesIngested: seq,
  errors,
  perWindow,
  rss: {
    startMb: startRss,
    firstWindowMb: perWindow[0]!.rssMb,
    lastWindowMb: perWindow[perWindow.length - 1]!.rssMb,
    growthMb,
    slopeMbPerMinute: round(slope, 2),
  },
  p99: { medianMs: medianP99, maxMs: Math.max(...p99s) },
  verdict: {
    zeroErrors: errors === 0,
    p99Stable,
    memoryFlat,
    rateSustained,
    achievedReqPerSec: round(achieved, 1),
    pass: errors === 0 && p99Stable && memoryFlat && rateSustained,
  },
};
await v.stop();
await scratch?.drop();
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(result.verdict.pass ? 0 : 1);
