// DAST with wapiti against a Vigil this script starts itself: fresh data dir, demo mode, a free
// port. One unauthenticated and one authenticated pass (a demo agent's session cookie + CSRF
// header, the same user agent the session is bound to). Modules and scope are bounded so both
// passes finish in a few minutes on two cores. Returns the findings above informational.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as OTPAuth from 'otpauth';

const UA = 'vigil-dast';
// No ssrf/xxe (they need wapiti's public endpoint), no brute-force (nikto, buster): bounded by time.
const MODULES = 'xss,permanentxss,sql,exec,file,crlf,redirect,http_headers,csp,methods';
const SCAN_SECONDS = 60;
const ATTACK_SECONDS = 15;

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function startServer(root) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-dast-'));
  const port = await freePort();
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', VIGIL_DATA_DIR: dataDir };
  env.SMTP_PORT = String(await freePort());
  env.LOG_LEVEL = 'warn';
  delete env.DATABASE_URL;
  delete env.NATS_URL;
  const child = spawn(process.execPath, ['bin/vigil.mjs', 'serve', '--demo'], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err = (err + d).slice(-2000)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`vigil exited: ${err}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  if (Date.now() >= deadline) throw new Error('vigil did not answer /healthz within 240 s');
  return {
    log: () => err,
    base,
    env,
    dataDir,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r()));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function signIn(root, server) {
  const r = spawnSync(process.execPath, ['bin/vigil.mjs', 'demo-credentials', '--json'], {
    cwd: root,
    env: server.env,
    encoding: 'utf8',
  });
  const { users } = JSON.parse(r.stdout);
  const agent = users.find((u) => u.role === 'agent') ?? users[0];
  const post = (path, body) =>
    fetch(server.base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': UA },
      body: JSON.stringify(body),
    });
  const first = await (
    await post('/api/v1/auth/login', { email: agent.email, password: agent.password })
  ).json();
  const code = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(agent.totpSecret) }).generate();
  const res = await post('/api/v1/auth/mfa/totp', { challenge: first.challenge, code });
  const cookie = /vigil_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (!res.ok || !cookie) throw new Error(`demo sign-in failed: ${res.status}`);
  return { value: cookie, csrf: (await res.json()).csrfToken, tenant: agent.tenants?.[0] ?? 'acme-shop' };
}

function wapiti(base, outFile, startUrls, extra = []) {
  const args = [
    '-u',
    `${base}/`,
    '--scope',
    'folder',
    '-m',
    MODULES,
    '-d',
    '2',
    '--max-links-per-page',
    '50',
  ];
  args.push('--max-scan-time', String(SCAN_SECONDS), '--max-attack-time', String(ATTACK_SECONDS));
  args.push(
    '-t',
    '10',
    '-A',
    UA,
    '--flush-session',
    '-f',
    'json',
    '-o',
    outFile,
    '-v',
    '0',
    '--no-bugreport',
  );
  args.push('--store-session', join(tmpdir(), 'vigil-dast-session'));
  // No `-x` exclusions: wapiti 3.0.4 on Python 3.11 fails to compile them (re.error). Sign-out is
  // a POST no crawl discovers; the session check after the pass proves the scanner stayed in.
  for (const u of startUrls) args.push('-s', u);
  const r = spawnSync('wapiti', [...args, ...extra], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0)
    throw new Error(`wapiti exited ${r.status}: ${(r.stderr || r.stdout || '').slice(-500)}`);
  return JSON.parse(readFileSync(outFile, 'utf8'));
}

// Findings of wapiti 3.0.4 that are wrong for this target, each with the reason; nothing else is
// waived. They are still printed, as accepted.
export const ACCEPTED = [
  {
    info: 'X-XSS-Protection is not set',
    why: "helmet sends `X-XSS-Protection: 0` on purpose (OWASP): browsers removed the XSS auditor and '1' enabled cross-site leaks; the CSP is the XSS defence",
  },
  {
    info: 'Strict-Transport-Security is not set',
    why: 'the scan target is the plain-HTTP demo; browsers ignore HSTS over HTTP. With TLS Vigil sends it (test/identity/tls.test.ts)',
  },
];

/** Findings with a level above informational (wapiti: 0 info, 1 low … 4 critical), split into open and accepted. */
export function findingsOf(report) {
  const all = [];
  for (const [category, list] of Object.entries(report.vulnerabilities ?? {}))
    for (const v of list ?? []) if (Number(v.level ?? 0) > 0) all.push({ category, ...v });
  for (const [category, list] of Object.entries(report.anomalies ?? {}))
    for (const v of list ?? [])
      if (Number(v.level ?? 0) > 0) all.push({ category: `anomaly: ${category}`, ...v });
  const accepted = all.filter((f) => ACCEPTED.some((a) => a.info === f.info));
  return { open: all.filter((f) => !accepted.includes(f)), accepted };
}

export async function runDast(root, reportDir) {
  const server = await startServer(root);
  try {
    const b = server.base;
    const common = [`${b}/`, `${b}/healthz`, `${b}/docs`, `${b}/docs/json`, `${b}/app/inbox?q=x`];
    const anon = wapiti(b, join(reportDir, 'wapiti-anonymous.json'), [
      ...common,
      `${b}/api/v1/me`,
      `${b}/api/v1/auth/oidc/corp/start?x=1`,
      `${b}/docs/static/index.html?url=x`,
    ]);
    const s = await signIn(root, server);
    const cookieFile = join(reportDir, 'wapiti-cookies.json');
    writeFileSync(
      cookieFile,
      JSON.stringify({
        '127.0.0.1': {
          '/': { vigil_session: { value: s.value, expires: null, secure: false, port: null, version: 0 } },
        },
      }),
    );
    const t = `${b}/api/v1/tenants/${s.tenant}`;
    const authed = wapiti(
      b,
      join(reportDir, 'wapiti-authenticated.json'),
      [
        ...common,
        `${b}/api/v1/me`,
        `${b}/api/v1/me/sessions`,
        `${t}/conversations?status=open&limit=5`,
        `${t}/customers?limit=5&q=anna`,
        `${t}/alerts?limit=5`,
      ],
      ['-c', cookieFile, '-H', `X-CSRF-Token: ${s.csrf}`],
    );
    rmSync(cookieFile, { force: true });
    // Still signed in at the end: the authenticated pass really was authenticated.
    const me = await fetch(`${b}/api/v1/me`, {
      headers: { cookie: `vigil_session=${s.value}`, 'user-agent': UA },
    });
    return {
      anonymous: findingsOf(anon),
      authenticated: findingsOf(authed),
      sessionStillValid: me.status === 200,
    };
  } catch (e) {
    throw new Error(
      `${e.message}${e.cause ? ` (${e.cause.message ?? e.cause})` : ''}; server: ${server.log().slice(-600)}`,
    );
  } finally {
    await server.stop();
  }
}
