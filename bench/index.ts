// `npm run bench`: one JSON document; every figure comes with its baseline measured in the same
// run on this machine. `--only pii,crypto,...` limits the sections; `--pg URL` adds PostgreSQL.
import { parseArgs } from 'node:util';
import { benchAccessGate } from './access-gate.ts';
import { benchAudit } from './audit.ts';
import { benchCrypto } from './crypto.ts';
import { benchDsar } from './dsar.ts';
import { benchHttp } from './http.ts';
import { benchIngest } from './ingest.ts';
import { benchMalware } from './malware.ts';
import { benchMonitoring } from './monitoring.ts';
import { benchPii } from './pii.ts';
import { benchPiiPipeline } from './pii-pipeline.ts';
import { createScratchDatabase, withScratchDatabase } from './util.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    pg: { type: 'string' },
    quick: { type: 'boolean', default: false },
    scale: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const only = values.only ? new Set(values.only.split(',')) : null;
const pg = values.pg ?? process.env.BENCH_DATABASE_URL;
const quick = values.quick;

const sections: Record<string, () => Promise<unknown>> = {
  pii: () => benchPii(),
  'pii-pipeline': () => benchPiiPipeline(),
  crypto: () => benchCrypto(),
  malware: () => benchMalware({ runs: quick ? 10 : 30 }),
  audit: async () => {
    const size = quick ? { memoryEvents: 100_000, dbEvents: 10_000 } : {};
    return {
      pglite: await benchAudit(size),
      ...(pg
        ? { postgres: await withScratchDatabase(pg, (u) => benchAudit({ ...size, databaseUrl: u })) }
        : {}),
    };
  },
  monitoring: () => benchMonitoring(quick ? { events: 100_000, actors: 5_000 } : {}),
  ingest: async () => ({
    pglite: await benchIngest({ messages: quick ? 100 : 400 }),
    ...(pg
      ? {
          postgres: await withScratchDatabase(pg, (u) =>
            benchIngest({ databaseUrl: u, messages: quick ? 100 : 400 }),
          ),
        }
      : {}),
  }),
  http: async () => ({
    pglite: await benchHttp({ seconds: quick ? 3 : 8 }),
    ...(pg
      ? {
          postgres: await withScratchDatabase(pg, (u) =>
            benchHttp({ databaseUrl: u, seconds: quick ? 3 : 8 }),
          ),
        }
      : {}),
  }),
  access: async () => ({
    pglite: await benchAccessGate({ seconds: quick ? 3 : 5 }),
    ...(pg
      ? {
          postgres: await withScratchDatabase(pg, (u) =>
            benchAccessGate({ databaseUrl: u, seconds: quick ? 3 : 5 }),
          ),
        }
      : {}),
  }),
};

sections.dsar = async () => ({
  pglite: await benchDsar({ messages: quick ? 2_000 : 10_000 }),
  ...(pg
    ? {
        postgres: await withScratchDatabase(pg, (u) =>
          benchDsar({ databaseUrl: u, messages: quick ? 2_000 : 10_000 }),
        ),
      }
    : {}),
});

// --scale: only the growth benchmark (bench/scale.ts), on PostgreSQL when --pg is given.
if (values.scale) {
  const { benchScale } = await import('./scale.ts');
  const sizes = (values.sizes ?? '10000,100000,1000000').split(',').map(Number);
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 100)) throw new Error('--sizes: integers >= 100');
  const run = (u?: string) => benchScale({ sizes, databaseUrl: u });
  // --keep leaves the scratch database for inspection (EXPLAIN by hand) and prints its URL.
  const kept = pg && values.keep ? await createScratchDatabase(pg) : undefined;
  if (kept) process.stderr.write(`scratch database kept: ${kept.url}\n`);
  const out = kept ? await run(kept.url) : pg ? await withScratchDatabase(pg, run) : await run();
  process.stdout.write(`${JSON.stringify({ startedAt: new Date().toISOString(), scale: out }, null, 2)}\n`);
  process.exit(0);
}

const result: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  node: process.version,
  cores: (await import('node:os')).cpus().length,
};
for (const [name, fn] of Object.entries(sections)) {
  if (only && !only.has(name)) continue;
  const t0 = performance.now();
  try {
    result[name] = { ...((await fn()) as object), seconds: Math.round((performance.now() - t0) / 100) / 10 };
  } catch (e) {
    result[name] = { error: (e as Error).message };
  }
}
result.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(0);
