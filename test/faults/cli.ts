// The `vigil` CLI as an operator runs it, for the embedded-mode fault tests: run to exit, or
// serve in the background; plus the widget calls that ingest chat messages.
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { ClusterWorld } from './world.ts';
import { call } from './world.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const VIGIL = join(ROOT, 'bin/vigil.mjs');

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

const baseEnv = () => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' });

/** Runs `vigil ARGS` to its end (killed after timeoutMs). */
export function runVigil(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<Exited> {
  const t0 = performance.now();
  const p = spawn(process.execPath, [VIGIL, ...args], {
    cwd: ROOT,
    env: { ...baseEnv(), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d: Buffer) => (stdout += d));
  p.stderr.on('data', (d: Buffer) => (stderr += d));
  const kill = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
  return new Promise((res) =>
    p.once('close', (code, signal) => {
      clearTimeout(kill);
      res({ code, signal, stdout, stderr, ms: Math.round(performance.now() - t0) });
    }),
  );
}

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Polls until the process is gone; returns how long that took, or throws after ms. */
export async function waitGone(pid: number, ms: number): Promise<number> {
  const t0 = performance.now();
  while (isAlive(pid)) {
    if (performance.now() - t0 > ms) throw new Error(`process ${pid} still alive after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Math.round(performance.now() - t0);
}

/** Waits for an exit of a child this process spawned. */
export const exitOf = (p: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve({ code: p.exitCode, signal: p.signalCode })
    : new Promise((r) => p.once('exit', (code, signal) => r({ code, signal })));

const ORIGIN = { origin: 'http://localhost' };

/** A visitor's chat message through the public widget API (201 = stored and acknowledged). */
export const postWidget = (url: string, w: ClusterWorld, text: string, id: string, token?: string) =>
  call(
    url,
    'POST',
    `/api/v1/widget/${w.slug}/messages`,
    { text, clientMessageId: id, ...(token ? { visitorToken: token } : {}) },
    null,
    ORIGIN,
  );

/** The visitor's conversation as the widget shows it (texts in order). */
export async function widgetTexts(url: string, w: ClusterWorld, token: string): Promise<string[]> {
  const r = await call(url, 'GET', `/api/v1/widget/${w.slug}/messages`, undefined, null, {
    ...ORIGIN,
    authorization: `Bearer ${token}`,
  });
  if (r.status !== 200) throw new Error(`history: ${r.status} ${r.text}`);
  const list = (r.json.messages ?? r.json) as Array<{ text?: string; body?: string }>;
  return list.map((m) => m.text ?? m.body ?? '');
}
