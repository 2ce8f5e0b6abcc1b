// Full verification of stored chains, as the owner (nothing may hide behind RLS), inside one
// repeatable-read transaction so live appends do not look like tampering. Events are streamed
// in keyset batches by seq; signatures of all checkpoints and anchors are checked first.
import { availableParallelism } from 'node:os';
import { sql } from 'drizzle-orm';
import { type Database, rows, type Tx } from '../platform/db.ts';
import { CompactRange } from './merkle.ts';
import { anchorMessage, checkpointMessage, verifySignature } from './signing.ts';
import { EVENT_COLUMNS, type EventRow, isoTimeSql, rowFields, toBuffer } from './store.ts';
import type { AuditMeta } from './types.ts';
import { chainOf, ZERO_CHAIN } from './types.ts';
import type { BatchResult } from './verify-batch.mjs';
import { type ChainProblem, type ChainStart, ChainVerifier, type CheckpointToCheck } from './verify-core.ts';
import { fetchWindow, withSnapshotReaders } from './verify-fetch.ts';
import { type BatchRunner, createBatchRunner } from './verify-pool.ts';

export interface VerifyOptions {
  /** One tenant's chain; null = the platform chain; omitted with all = every chain. */
  tenantId?: string | null;
  all?: boolean;
  /** Pinned public keys (keyId -> PEM). Default: audit_signing_keys. */
  publicKeys?: Record<string, string>;
  batchSize?: number;
  /** Worker threads that hash batches; default 2 (at most the cores) for chains of 50,000+ events, else 0 (inline). */
  workers?: number;
  /** PostgreSQL only: extra reader connections sharing the snapshot; default 1 for large chains. */
  extraReaders?: number;
}

const LARGE_CHAIN = 50_000;

export interface ChainReport {
  tenantId: string | null;
  events: number;
  checkpointsChecked: number;
  anchorSeq: number;
  /** Events accepted by the fast path (the rest went through the full-field path). */
  fastPathEvents: number;
  ok: boolean;
  firstBadSeq?: number;
  kind?: ChainProblem['kind'];
  detail?: string;
}

export interface VerifyReport {
  ok: boolean;
  chains: ChainReport[];
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

interface CheckpointRow {
  tree_size: number | string;
  root_hash: Uint8Array;
  time: string;
  key_id: string;
  signature: Uint8Array;
}

interface AnchorRow {
  seq: number | string;
  last_hash: Uint8Array;
  frontier: Uint8Array;
  time: string;
  key_id: string;
  signature: Uint8Array;
}

interface BatchRow {
  n: number | string;
  last: number | string | null;
  /** Every prev_hash and hash is 32 bytes, so `h` can be split at fixed offsets. */
  fixed: boolean | null;
  /** hex of prev_hash || hash for each event, in seq order */
  h: string | null;
  /** JSON array of [seq, tenant, time, actorType, actorId, action, resourceType, resourceId, outcome, reason, ip, uaHash, requestId, meta] */
  j: string | null;
}

type Packed = [
  number,
  string | null,
  string,
  string,
  string | null,
  string,
  string | null,
  string | null,
  string,
  string | null,
  string | null,
  string | null,
  string | null,
  AuditMeta,
];

/**
 * One row per batch: the hashes as a single hex string and the fields as one JSON text, so the
 * drivers do not decode 16 columns per event (PGlite spends most of its time there). Decoding
 * is then one Buffer.from and one JSON.parse per batch. The fields are the same values the
 * per-row query returns (uuid text, to_char time, jsonb parsed with JSON.parse).
 */
const fetchBatch = (tx: Tx, chain: string, after: number, limit: number) =>
  rows<BatchRow>(
    tx,
    sql`select count(*) as n, max(seq) as last, bool_and(octet_length(prev_hash) = 32 and octet_length(hash) = 32) as fixed,
          encode(string_agg(prev_hash || hash, ''::bytea order by seq), 'hex') as h,
          json_agg(json_build_array(seq, tenant_id, ${sql.raw(isoTimeSql('time'))}, actor_type, actor_id, action, resource_type, resource_id,
            outcome, reason, ip, ua_hash, request_id, meta) order by seq)::text as j
        from (select * from audit_events where chain = ${chain}::uuid and seq > ${after} order by seq limit ${limit}) x`,
  ).then((r) => r[0] as BatchRow);

/** Feeds the chain's events after `after` to the verifier; the next batch is fetched while this one is hashed. */
async function streamEvents(
  tx: Tx,
  chain: string,
  after: number,
  batchSize: number,
  v: ChainVerifier,
): Promise<void> {
  let next: Promise<BatchRow> | undefined = fetchBatch(tx, chain, after, batchSize);
  try {
    while (next) {
      const b: BatchRow = await next;
      next = undefined;
      const n = Number(b.n);
      if (n === 0) break;
      const cursor = Number(b.last);
      if (n === batchSize) next = fetchBatch(tx, chain, cursor, batchSize);
      if (!b.fixed) {
        // A hash of the wrong length (tampering): decode this batch row by row, as before.
        const batch = await rows<EventRow>(
          tx,
          sql`select ${EVENT_COLUMNS} from audit_events where chain = ${chain}::uuid and seq > ${after} order by seq limit ${batchSize}`,
        );
        for (const r of batch) if (!v.push(rowFields(r), toBuffer(r.prev_hash), toBuffer(r.hash))) break;
      } else {
        const hashes = Buffer.from(b.h ?? '', 'hex');
        const evs = JSON.parse(b.j ?? '[]') as Packed[];
        for (let i = 0; i < evs.length; i++) {
          const e = evs[i] as Packed;
          const f = {
            tenantId: e[1],
            seq: Number(e[0]),
            time: e[2],
            actorType: e[3],
            actorId: e[4],
            action: e[5],
            resourceType: e[6],
            resourceId: e[7],
            outcome: e[8],
            reason: e[9],
            ip: e[10],
            uaHash: e[11],
            requestId: e[12],
            meta: e[13],
          };
          if (!v.push(f, hashes.subarray(i * 64, i * 64 + 32), hashes.subarray(i * 64 + 32, i * 64 + 64)))
            break;
        }
      }
      if (v.done) break;
      after = cursor;
    }
  } finally {
    // Never leave a query running when the transaction ends.
    if (next) await next.catch(() => undefined);
  }
}

interface FastPathDeps {
  db: Database;
  opts: VerifyOptions;
  runner(workers: number): BatchRunner;
}

/**
 * The fast path: windows of seqs are fetched in the compact projection (on PostgreSQL by several
 * connections at once), re-hashed inline or in worker threads while the next windows load, and
 * accepted in order. It stops at the first window it cannot accept; the caller continues from
 * there with the full-field path, which finds and classifies the problem.
 */
async function fastPath(
  tx: Tx,
  tenantId: string | null,
  v: ChainVerifier,
  cpSizes: number[],
  batchSize: number,
  d: FastPathDeps,
): Promise<void> {
  const chain = chainOf(tenantId);
  const [m] = await rows<{ m: number | string | null }>(
    tx,
    sql`select max(seq) as m from audit_events where chain = ${chain}::uuid`,
  );
  const maxSeq = Number(m?.m ?? 0);
  const from = v.expectedSeq - 1;
  if (maxSeq <= from) return;
  const large = maxSeq - from >= LARGE_CHAIN;
  const runner = d.runner(d.opts.workers ?? (large ? Math.min(2, availableParallelism()) : 0));
  const extra = d.opts.extraReaders ?? (large ? 1 : 0);
  await withSnapshotReaders(d.db, tx, extra, async (readers) => {
    const windows: [number, number][] = [];
    for (let a = from; a < maxSeq; a += batchSize) windows.push([a, Math.min(a + batchSize, maxSeq)]);
    const lookahead = readers.length * 2 + 2;
    const inflight: Promise<BatchResult>[] = [];
    let next = 0;
    const launch = () => {
      const i = next++;
      const [after, upto] = windows[i] as [number, number];
      const reader = readers[i % readers.length] as (typeof readers)[number];
      inflight.push(
        reader((t) => fetchWindow(t, chain, tenantId, after, upto)).then(
          (w): Promise<BatchResult> | BatchResult => {
            const n = Number(w.n);
            if (!w.fixed || n !== upto - after) return { ok: false, seq: after + 1 };
            return runner.run({
              tenantId,
              firstSeq: after + 1,
              count: n,
              text: w.j ?? '',
              hashes: Buffer.from(w.h ?? '', 'hex'),
              cpSizes,
            });
          },
        ),
      );
    };
    try {
      while (next < windows.length && inflight.length < lookahead) launch();
      while (inflight.length > 0) {
        const r = await (inflight.shift() as Promise<BatchResult>);
        if (!r.ok || !v.acceptBatch(r)) return;
        if (next < windows.length) launch();
      }
    } finally {
      // Never leave a query running when a reader's transaction ends.
      await Promise.allSettled(inflight);
    }
  });
}

async function verifyChain(
  tx: Tx,
  tenantId: string | null,
  keys: Record<string, string>,
  batchSize: number,
  d: FastPathDeps,
): Promise<ChainReport> {
  const chain = chainOf(tenantId);
  const cps = await rows<CheckpointRow>(
    tx,
    sql`select tree_size, root_hash, ${sql.raw(isoTimeSql('time'))} as time, key_id, signature from audit_checkpoints where chain = ${chain}::uuid order by tree_size, id`,
  );
  const anchors = await rows<AnchorRow>(
    tx,
    sql`select seq, last_hash, frontier, ${sql.raw(isoTimeSql('time'))} as time, key_id, signature from audit_retention_anchors where chain = ${chain}::uuid order by seq desc limit 1`,
  );
  const heads = await rows<{ last_seq: number | string; last_hash: Uint8Array }>(
    tx,
    sql`select last_seq, last_hash from audit_heads where chain = ${chain}::uuid`,
  );
  const sigProblems: ChainProblem[] = [];
  const toCheck: CheckpointToCheck[] = [];
  for (const c of cps) {
    const size = Number(c.tree_size);
    const root = Buffer.from(toBuffer(c.root_hash));
    const pem = keys[c.key_id];
    const msg = checkpointMessage(tenantId, size, root.toString('hex'), c.time);
    if (!pem || !verifySignature(pem, msg, toBuffer(c.signature))) {
      sigProblems.push({
        seq: Math.max(size, 1),
        kind: 'bad_signature',
        detail: 'checkpoint signature invalid',
      });
    } else toCheck.push({ treeSize: size, rootHash: root });
  }
  let start: ChainStart | undefined;
  const a = anchors[0];
  if (a) {
    const seq = Number(a.seq);
    const lastHash = Buffer.from(toBuffer(a.last_hash));
    const frontier = toBuffer(a.frontier);
    const msg = anchorMessage(tenantId, seq, lastHash.toString('hex'), frontier.toString('hex'), a.time);
    const pem = keys[a.key_id];
    if (!pem || !verifySignature(pem, msg, toBuffer(a.signature))) {
      sigProblems.push({
        seq: Math.max(seq, 1),
        kind: 'bad_signature',
        detail: 'retention anchor signature invalid',
      });
    } else {
      start = { seq, lastHash, range: CompactRange.deserialize(seq, frontier) };
    }
  }
  const v = new ChainVerifier(toCheck, start);
  await fastPath(
    tx,
    tenantId,
    v,
    toCheck.map((c) => c.treeSize),
    batchSize,
    d,
  );
  const fastPathEvents = v.events;
  if (!v.done) await streamEvents(tx, chain, v.expectedSeq - 1, batchSize, v);
  const h = heads[0];
  const problem = v.finish(h ? { lastSeq: Number(h.last_seq), lastHash: toBuffer(h.last_hash) } : undefined);
  const first = [...sigProblems, ...(problem ? [problem] : [])].sort((x, y) => x.seq - y.seq)[0];
  return {
    tenantId,
    events: v.events,
    fastPathEvents,
    checkpointsChecked: v.checkpointsChecked,
    anchorSeq: start?.seq ?? 0,
    ok: !first,
    ...(first ? { firstBadSeq: first.seq, kind: first.kind, detail: first.detail } : {}),
  };
}

export async function verifyAuditLog(db: Database, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const t0 = performance.now();
  let runner: BatchRunner | undefined;
  let runnerWorkers = -1;
  const d: FastPathDeps = {
    db,
    opts,
    runner: (workers) => {
      if (runner && runnerWorkers === workers) return runner;
      const old = runner;
      runner = createBatchRunner(workers);
      runnerWorkers = workers;
      void old?.close();
      return runner;
    },
  };
  const chains = await db
    .withOwner(async (tx) => {
      await tx.execute(sql`set transaction isolation level repeatable read`);
      const keys =
        opts.publicKeys ??
        Object.fromEntries(
          (
            await rows<{ key_id: string; public_key_pem: string }>(
              tx,
              sql`select key_id, public_key_pem from audit_signing_keys`,
            )
          ).map((k) => [k.key_id, k.public_key_pem]),
        );
      let ids: (string | null)[];
      if (opts.tenantId !== undefined || !opts.all) ids = [opts.tenantId ?? null];
      else {
        // Every chain that left any trace: a head, a checkpoint, an anchor or an event.
        const r = await rows<{ chain: string }>(
          tx,
          sql`select chain::text as chain from audit_heads union select chain::text from audit_checkpoints
            union select chain::text from audit_retention_anchors union select distinct chain::text from audit_events order by 1`,
        );
        ids = r.map((x) => (x.chain === ZERO_CHAIN ? null : x.chain));
      }
      const out: ChainReport[] = [];
      for (const id of ids) out.push(await verifyChain(tx, id, keys, opts.batchSize ?? 10000, d));
      return out;
    })
    .finally(() => runner?.close());
  const seconds = (performance.now() - t0) / 1000;
  const events = chains.reduce((n, c) => n + c.events, 0);
  return {
    ok: chains.every((c) => c.ok),
    chains,
    events,
    seconds,
    eventsPerSecond: seconds > 0 ? Math.round(events / seconds) : 0,
  };
}
