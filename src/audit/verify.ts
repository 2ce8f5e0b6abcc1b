// Full verification of stored chains, as the owner (nothing may hide behind RLS), inside one
// repeatable-read transaction so live appends do not look like tampering. Events are streamed
// in keyset batches by seq; signatures of all checkpoints and anchors are checked first.
import { sql } from 'drizzle-orm';
import { type Database, rows, type Tx } from '../platform/db.ts';
import { CompactRange } from './merkle.ts';
import { anchorMessage, checkpointMessage, verifySignature } from './signing.ts';
import { EVENT_COLUMNS, type EventRow, isoTimeSql, rowFields, toBuffer } from './store.ts';
import { chainOf, ZERO_CHAIN } from './types.ts';
import { type ChainProblem, type ChainStart, ChainVerifier, type CheckpointToCheck } from './verify-core.ts';

export interface VerifyOptions {
  /** One tenant's chain; null = the platform chain; omitted with all = every chain. */
  tenantId?: string | null;
  all?: boolean;
  /** Pinned public keys (keyId -> PEM). Default: audit_signing_keys. */
  publicKeys?: Record<string, string>;
  batchSize?: number;
}

export interface ChainReport {
  tenantId: string | null;
  events: number;
  checkpointsChecked: number;
  anchorSeq: number;
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

async function verifyChain(tx: Tx, tenantId: string | null, keys: Record<string, string>, batchSize: number): Promise<ChainReport> {
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
      sigProblems.push({ seq: Math.max(size, 1), kind: 'bad_signature', detail: 'checkpoint signature invalid' });
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
      sigProblems.push({ seq: Math.max(seq, 1), kind: 'bad_signature', detail: 'retention anchor signature invalid' });
    } else {
      start = { seq, lastHash, range: CompactRange.deserialize(seq, frontier) };
    }
  }
  const v = new ChainVerifier(toCheck, start);
  let after = start?.seq ?? 0;
  for (;;) {
    const batch = await rows<EventRow>(
      tx,
      sql`select ${EVENT_COLUMNS} from audit_events where chain = ${chain}::uuid and seq > ${after} order by seq limit ${batchSize}`,
    );
    for (const r of batch) if (!v.push(rowFields(r), toBuffer(r.prev_hash), toBuffer(r.hash))) break;
    const last = batch[batch.length - 1];
    if (v.done || !last || batch.length < batchSize) break;
    after = Number(last.seq);
  }
  const h = heads[0];
  const problem = v.finish(h ? { lastSeq: Number(h.last_seq), lastHash: toBuffer(h.last_hash) } : undefined);
  const first = [...sigProblems, ...(problem ? [problem] : [])].sort((x, y) => x.seq - y.seq)[0];
  return {
    tenantId,
    events: v.events,
    checkpointsChecked: v.checkpointsChecked,
    anchorSeq: start?.seq ?? 0,
    ok: !first,
    ...(first ? { firstBadSeq: first.seq, kind: first.kind, detail: first.detail } : {}),
  };
}

export async function verifyAuditLog(db: Database, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const t0 = performance.now();
  const chains = await db.withOwner(async (tx) => {
    await tx.execute(sql`set transaction isolation level repeatable read`);
    const keys = opts.publicKeys ?? Object.fromEntries(
      (await rows<{ key_id: string; public_key_pem: string }>(tx, sql`select key_id, public_key_pem from audit_signing_keys`)).map((k) => [
        k.key_id,
        k.public_key_pem,
      ]),
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
    for (const id of ids) out.push(await verifyChain(tx, id, keys, opts.batchSize ?? 5000));
    return out;
  });
  const seconds = (performance.now() - t0) / 1000;
  const events = chains.reduce((n, c) => n + c.events, 0);
  return { ok: chains.every((c) => c.ok), chains, events, seconds, eventsPerSecond: seconds > 0 ? Math.round(events / seconds) : 0 };
}
