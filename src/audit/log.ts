// The audit writer and its queries. `append` runs in the caller's transaction so the audit
// record and the audited action commit or fail together; the chain head row is locked
// (select ... for update) so concurrent appends from several nodes get contiguous seqs.
import { type SQL, sql } from 'drizzle-orm';
import { type Database, NO_TENANT, pgTextArray, rows, type Tx } from '../platform/db.ts';
import { invalidInput, isVigilError, VigilError } from '../platform/errors.ts';
import { EventEncoder } from './canonical.ts';
import { compareAndAppendSql, computeAppend, EVENT_INSERT_COLUMNS, type HeadState } from './chain-append.ts';
import { createChainCheckpoint, createCheckpointsForAllChains } from './checkpoints.ts';
import {
  buildConsistencyProof,
  buildInclusionProof,
  type ConsistencyProof,
  type InclusionProof,
} from './proofs.ts';
import { type PurgeResult, purgeAuditEvents } from './retention.ts';
import {
  currentChainSql,
  EVENT_COLUMNS,
  type EventRow,
  isoTimeSql,
  type ResourceCursor,
  rowToEvent,
  selectEventsForResources,
  toBuffer,
} from './store.ts';
import {
  type AuditEvent,
  type AuditEventInput,
  type AuditSigner,
  type Checkpoint,
  chainOf,
} from './types.ts';
import { type ValidEvent, validateEvent } from './validate.ts';

export interface AuditLogOptions {
  db?: Database;
  signer: AuditSigner;
  clock?: () => Date;
}

export interface EventFilters {
  actorId?: string;
  /** An action code, or several separated by commas. */
  action?: string;
  /** The part of the action before its first dot ('conversation' for 'conversation.reveal'). */
  category?: string;
  resourceType?: string;
  resourceId?: string;
  outcome?: string;
  from?: Date;
  to?: Date;
  /** Default 100, at most 1000. */
  limit?: number;
  /** The `nextCursor` of the previous page (newest first). */
  cursor?: number;
}

export interface EventPage {
  events: AuditEvent[];
  nextCursor: number | undefined;
}

interface HeadRow {
  last_seq: number | string;
  last_hash: Uint8Array;
  frontier: Uint8Array;
}

const PAGE = 1000;

export type AuditLog = ReturnType<typeof createAuditLog>;

export function createAuditLog(opts: AuditLogOptions) {
  const clock = opts.clock ?? (() => new Date());
  const encoder = new EventEncoder();
  /** Per chain, the head as this node last committed it (the standalone writer's guess). */
  const heads = new Map<string, HeadState>();
  const needDb = (): Database => {
    if (!opts.db) throw new VigilError('internal', 'audit log has no database');
    return opts.db;
  };

  async function lockHead(tx: Tx, tenantId: string | null): Promise<HeadRow> {
    const chain = chainOf(tenantId);
    const select = () =>
      rows<HeadRow>(
        tx,
        sql`select last_seq, last_hash, frontier from audit_heads where chain = ${chain}::uuid for update`,
      );
    let head = (await select())[0];
    if (!head) {
      // First event of the chain; concurrent first appends meet on the primary key.
      await tx.execute(
        sql`insert into audit_heads (tenant_id) values (${tenantId}::uuid) on conflict (chain) do nothing`,
      );
      head = (await select())[0];
    }
    if (!head) throw new Error('audit head missing');
    return head;
  }

  /** Appends within the caller's transaction; a failure fails that transaction. */
  async function append(tx: Tx, input: AuditEventInput): Promise<AuditEvent> {
    return (await appendMany(tx, [input]))[0] as AuditEvent;
  }

  /**
   * Appends several events of one chain in the caller's transaction: one head lock and one
   * statement for all of them (group commit of concurrent reads, see group-commit.ts).
   */
  function oneChain(vs: ValidEvent[], tenantId = vs[0]?.tenantId ?? null): string | null {
    if (vs.some((v) => v.tenantId !== tenantId)) throw new VigilError('internal', 'one chain per append');
    return tenantId;
  }

  async function appendMany(tx: Tx, inputs: AuditEventInput[]): Promise<AuditEvent[]> {
    const prepared = await prepareAppend(tx, inputs);
    await runAudited(() => tx.execute(sql`with ${prepared.cte} select 1`));
    return prepared.events;
  }

  /**
   * Locks the chain head and computes the events; the returned CTE (`audit_ev`, `audit_head`)
   * writes them and must be executed in the same transaction, e.g. as the WITH clause of the
   * caller's own statement, so that an audited write costs no extra round trip.
   */
  async function prepareAppend(
    tx: Tx,
    inputs: AuditEventInput[],
  ): Promise<{ events: AuditEvent[]; cte: SQL; next: HeadState }> {
    const vs = inputs.map(validateEvent);
    const tenantId = oneChain(vs);
    const locked = await runAudited(() => lockHead(tx, tenantId));
    const head = {
      seq: Number(locked.last_seq),
      hash: Buffer.from(toBuffer(locked.last_hash)),
      frontier: Buffer.from(toBuffer(locked.frontier)),
    };
    const c = computeAppend(encoder, head, vs, clock);
    const cte = sql`audit_ev as (insert into audit_events ${EVENT_INSERT_COLUMNS}
          values ${sql.join(c.values, sql`, `)}
          returning seq),
        audit_head as (update audit_heads set last_seq = (select max(seq) from audit_ev), last_hash = ${c.next.hash},
          frontier = ${c.next.frontier}, updated_at = now()
          where chain = ${chainOf(tenantId)}::uuid returning 1)`;
    return { events: c.events, cte, next: c.next };
  }

  /** Any database failure while auditing fails the audited action with one stable code. */
  async function runAudited<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isVigilError(e) && e.code === 'audit_write_failed') throw e;
      throw new VigilError('audit_write_failed', 'audit write failed', { cause: e });
    }
  }

  /** For reads: records the access in its own transaction, before the data is returned. */
  async function appendStandalone(db: Database, input: AuditEventInput): Promise<AuditEvent> {
    return (await appendManyStandalone(db, input.tenantId ?? null, [input]))[0] as AuditEvent;
  }

  /**
   * Several events of one chain in one transaction of their own (the group commit's writer):
   * one round trip from the head this node wrote last (chain-append.ts), else the locked path.
   */
  async function appendManyStandalone(
    db: Database,
    tenantId: string | null,
    inputs: AuditEventInput[],
  ): Promise<AuditEvent[]> {
    const chain = chainOf(tenantId);
    const known = heads.get(chain);
    if (known && db.execAppStatement) {
      const vs = inputs.map(validateEvent);
      oneChain(vs, tenantId);
      const c = computeAppend(encoder, known, vs, clock);
      const r = await runAudited(() =>
        db.execAppStatement!(tenantId ?? NO_TENANT, compareAndAppendSql(tenantId, known, c)),
      );
      if (Number(r[0]?.n) === vs.length) {
        heads.set(chain, c.next);
        return c.events;
      }
      heads.delete(chain);
    }
    const write = async (tx: Tx) => {
      const prepared = await prepareAppend(tx, inputs);
      await runAudited(() => tx.execute(sql`with ${prepared.cte} select 1`));
      return prepared;
    };
    const done = await runAudited(() => (tenantId ? db.withTenant(tenantId, write) : db.withPlatform(write)));
    // Committed: this is the chain's head now, unless another writer moves it (the next
    // compare-and-set then finds out).
    heads.set(chain, done.next);
    return done.events;
  }

  /** Newest first; RLS limits the result to the transaction's tenant (or the platform chain). */
  async function listEvents(tx: Tx, f: EventFilters = {}): Promise<EventPage> {
    const limit = Math.min(Math.max(f.limit ?? 100, 1), 1000);
    if (f.cursor !== undefined && !Number.isSafeInteger(f.cursor)) throw invalidInput('invalid cursor');
    // The chain named explicitly (RLS alone filters on tenant_id): every index leads with it.
    const conds: SQL[] = [sql`chain = ${currentChainSql()}`];
    if (f.actorId !== undefined) conds.push(sql`actor_id = ${f.actorId}`);
    if (f.action !== undefined) {
      // One code, or several (words of the console's filter can name more than one action).
      const actions = f.action.split(',');
      conds.push(
        actions.length === 1 ? sql`action = ${f.action}` : sql`action = any(${pgTextArray(actions)}::text[])`,
      );
    }
    if (f.category !== undefined) conds.push(sql`split_part(action, '.', 1) = ${f.category}`);
    if (f.resourceType !== undefined) conds.push(sql`resource_type = ${f.resourceType}`);
    if (f.resourceId !== undefined) conds.push(sql`resource_id = ${f.resourceId}`);
    if (f.outcome !== undefined) conds.push(sql`outcome = ${f.outcome}`);
    if (f.from !== undefined) conds.push(sql`time >= ${f.from.toISOString()}::timestamptz`);
    if (f.to !== undefined) conds.push(sql`time < ${f.to.toISOString()}::timestamptz`);
    if (f.cursor !== undefined) conds.push(sql`seq < ${f.cursor}`);
    const r = await rows<EventRow>(
      tx,
      sql`select ${EVENT_COLUMNS} from audit_events where ${sql.join(conds, sql` and `)} order by seq desc limit ${limit + 1}`,
    );
    const events = r.slice(0, limit).map(rowToEvent);
    const last = events[events.length - 1];
    return { events, nextCursor: r.length > limit && last ? last.seq : undefined };
  }

  /**
   * Every event about any of `resourceIds` (e.g. a data subject's customer record and
   * conversations), oldest first, read in pages of index order: the number of queries and
   * their cost follow the subject's own events, not the chain. At most `max` events.
   */
  async function listEventsForResources(
    tx: Tx,
    resourceIds: readonly string[],
    max = 20_000,
    pageSize = PAGE,
  ): Promise<AuditEvent[]> {
    const out: AuditEvent[] = [];
    const ids = [...new Set(resourceIds)];
    let after: ResourceCursor | undefined;
    while (out.length < max) {
      const want = Math.min(pageSize, max - out.length);
      const page = await selectEventsForResources(tx, ids, after, want);
      out.push(...page.map(rowToEvent));
      const last = page[page.length - 1];
      if (page.length < want || !last?.resource_id) break;
      after = { resourceId: last.resource_id, seq: Number(last.seq) };
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  async function latestCheckpoint(tx: Tx, tenantId: string | null = null): Promise<Checkpoint | undefined> {
    const r = await rows<{
      tree_size: number | string;
      root_hash: Uint8Array;
      time: string;
      key_id: string;
      signature: Uint8Array;
    }>(
      tx,
      sql`select tree_size, root_hash, ${sql.raw(isoTimeSql('time'))} as time, key_id, signature from audit_checkpoints
          where chain = ${chainOf(tenantId)}::uuid order by tree_size desc, id desc limit 1`,
    );
    const c = r[0];
    if (!c) return undefined;
    return {
      tenantId,
      treeSize: Number(c.tree_size),
      rootHash: toBuffer(c.root_hash).toString('hex'),
      time: c.time,
      keyId: c.key_id,
      signature: toBuffer(c.signature).toString('base64'),
    };
  }

  return {
    append,
    appendMany,
    prepareAppend,
    appendStandalone,
    appendManyStandalone,
    listEvents,
    listEventsForResources,
    latestCheckpoint,
    createCheckpoint: (tenantId: string | null): Promise<Checkpoint | undefined> =>
      createChainCheckpoint(needDb(), opts.signer, tenantId, clock),
    /** Checkpoints every chain that grew since its last checkpoint; schedule this. */
    createCheckpoints: (): Promise<number> => createCheckpointsForAllChains(needDb(), opts.signer, clock),
    inclusionProof: (tenantId: string | null, seq: number, treeSize: number): Promise<InclusionProof> =>
      buildInclusionProof(needDb(), tenantId, seq, treeSize),
    consistencyProof: (tenantId: string | null, first: number, second: number): Promise<ConsistencyProof> =>
      buildConsistencyProof(needDb(), tenantId, first, second),
    purge: (tenantId: string | null, before: Date): Promise<PurgeResult> =>
      purgeAuditEvents(needDb(), tenantId, before, opts.signer, clock),
  };
}
