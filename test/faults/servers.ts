// Throwaway servers for the multi-node and fault tests, all on loopback and random ports:
// Vigil nodes as child processes, a private nats-server, a private PostgreSQL cluster (never the
// shared one: the PostgreSQL fault test stops and starts its server).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';

const ROOT = resolve(import.meta.dirname, '../..');

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const portOpen = (port: number) =>
  new Promise<boolean>((res) => {
    import('node:net').then(({ connect }) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        res(true);
      });
      c.once('error', () => res(false));
    });
  });

export interface Nats {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A private nats-server with JetStream; stop() and start() keep its port and store. */
export async function startNats(): Promise<Nats> {
  const port = await freePort();
  const dir = tempDir('vigil-nats-');
  let proc: ChildProcess | null = null;
  const start = async () => {
    proc = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], {
      stdio: 'ignore',
    });
    await waitFor(() => portOpen(port), 10_000, 'nats-server');
  };
  const stop = async () => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await gone;
  };
  await start();
  return { url: `nats://127.0.0.1:${port}`, port, start, stop };
}

export interface PgCluster {
  url: string;
  stop(): void;
  start(): void;
  destroy(): void;
}

const pgBin = () => {
  const v = readdirSync('/usr/lib/postgresql').sort().pop();
  return `/usr/lib/postgresql/${v}/bin`;
};

export const havePgBinaries = () => existsSync('/usr/lib/postgresql') && existsSync(`${pgBin()}/initdb`);

/**
 * A private PostgreSQL cluster in a temp dir (initdb + pg_ctl), trust auth, on a random port.
 * PostgreSQL refuses to run as root: then the cluster runs as the `postgres` system user.
 */
export async function startPgCluster(): Promise<PgCluster> {
  const bin = pgBin();
  const dir = tempDir('vigil-pg-');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const run = (cmd: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', `${bin}/${cmd}`, ...args], { stdio: 'ignore' })
      : execFileSync(`${bin}/${cmd}`, args, { stdio: 'ignore' });
  run('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '-A', 'trust', '--no-sync']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const start = () =>
    run('pg_ctl', ['-D', join(dir, 'data'), '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
  const stop = () => run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    destroy() {
      try {
        stop();
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh database on a server (the shared one by default); returns its URL and a drop(). */
export async function createPgDatabase(
  adminUrl = process.env.VIGIL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `vigil_f_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export interface NodeProc {
  url: string;
  /** The inbound SMTP port (0 when the contact center is off). */
  smtpPort: number;
  proc: ChildProcess;
  output: string[];
  /** kill -9: no shutdown hooks, no flush. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `vigil serve` equivalent in a child process and waits until it listens. */
export async function spawnNode(env: Record<string, string>, timeoutMs = 180_000): Promise<NodeProc> {
  const proc = spawn(
    process.execPath,
    [join(ROOT, 'bin/run-ts.mjs'), join(ROOT, 'test/faults/node-main.ts')],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output: string[] = [];
  const [url, smtpPort] = await new Promise<[string, number]>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`node did not start:\n${output.join('')}`)), timeoutMs);
    proc.stdout!.on('data', (d: Buffer) => {
      output.push(d.toString());
      const m = /VIGIL_READY (\S+) (\d+)/.exec(output.join(''));
      if (m) {
        clearTimeout(t);
        res([m[1]!, Number(m[2])]);
      }
    });
    proc.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    proc.once('exit', (code) => {
      clearTimeout(t);
      rej(new Error(`node exited with ${code}:\n${output.join('')}`));
    });
  });
  const exited = () =>
    proc.exitCode !== null || proc.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((r) => proc.once('exit', () => r()));
  return {
    url,
    smtpPort,
    proc,
    output,
    async crash() {
      const gone = exited();
      proc.kill('SIGKILL');
      await gone;
    },
    async stop() {
      const gone = exited();
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(t);
    },
  };
}
