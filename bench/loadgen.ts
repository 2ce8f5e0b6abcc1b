// The load generator in a process of its own: the server under test and the load it is given
// must not share one event loop (nor one PGlite thread), or the figures measure both at once.
// `runLoad` starts this file as a child; the child runs autocannon or the paced open loop
// (paced.ts) and answers with one JSON line on stdout.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { type PacedResult, pacedLoad } from './paced.ts';

export type LoadJob =
  | { kind: 'autocannon'; opts: autocannon.Options }
  | { kind: 'paced'; opts: Omit<Parameters<typeof pacedLoad>[0], 'body'> };

const here = fileURLToPath(import.meta.url);
const runTs = fileURLToPath(new URL('../bin/run-ts.mjs', import.meta.url));

export async function runLoad(job: {
  kind: 'autocannon';
  opts: autocannon.Options;
}): Promise<autocannon.Result>;
export async function runLoad(job: Extract<LoadJob, { kind: 'paced' }>): Promise<PacedResult>;
export async function runLoad(job: LoadJob): Promise<unknown> {
  const { stdout } = await promisify(execFile)(process.execPath, [runTs, here, JSON.stringify(job)], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 10 * 60_000,
  });
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last);
}

function autocannonRun(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(opts, (e, r) => (e ? reject(e) : resolve(r))));
}

if (process.argv[1] === here) {
  const job = JSON.parse(process.argv[2] ?? '{}') as LoadJob;
  const result = job.kind === 'paced' ? await pacedLoad(job.opts) : await autocannonRun(job.opts);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
