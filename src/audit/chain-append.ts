// Computing appended events from a chain head, and the two ways of writing them. In the
// caller's transaction the head is locked first (log.ts). A read's events, written in a
// transaction of their own, go as ONE statement against the head this node last wrote: a
// compare-and-set on audit_heads (seq and hash as this node knows them) and the insert, which
// happens only when the head still matched. A head moved by another writer or node makes the
// statement insert nothing; the caller then takes the locked path. Either way every event is
// hashed from the true predecessor, exactly as the verifier recomputes it.
import { type SQL, sql } from 'drizzle-orm';
import type { EventEncoder } from './canonical.ts';
import { CompactRange } from './merkle.ts';
import { type AuditEvent, chainOf } from './types.ts';
import type { ValidEvent } from './validate.ts';

export interface HeadState {
  seq: number;
  hash: Buffer;
  frontier: Buffer;
}

export interface ComputedAppend {
  events: AuditEvent[];
  /** One VALUES row per event, in the column order of EVENT_INSERT_COLUMNS. */
  values: SQL[];
  next: HeadState;
}

export const EVENT_INSERT_COLUMNS = sql.raw(
  '(tenant_id, seq, time, actor_type, actor_id, action, resource_type, resource_id, outcome, reason, ip, ua_hash, request_id, meta, prev_hash, hash)',
);

export function computeAppend(
  encoder: EventEncoder,
  head: HeadState,
  vs: ValidEvent[],
  clock: () => Date,
): ComputedAppend {
  let seq = head.seq;
  let prevHash = head.hash;
  const range = CompactRange.deserialize(seq, head.frontier);
  const values: SQL[] = [];
  const events: AuditEvent[] = [];
  for (const v of vs) {
    seq += 1;
    const fields = { ...v, seq, time: clock().toISOString() };
    const hash = encoder.eventHash(fields, prevHash);
    range.append(hash);
    values.push(sql`(${v.tenantId}::uuid, ${seq}, ${fields.time}::timestamptz, ${v.actorType}, ${v.actorId}, ${v.action},
        ${v.resourceType}, ${v.resourceId}, ${v.outcome}, ${v.reason}, ${v.ip}, ${v.uaHash}, ${v.requestId},
        ${JSON.stringify(v.meta)}::jsonb, ${prevHash}, ${hash})`);
    events.push({ ...fields, prevHash: prevHash.toString('hex'), hash: hash.toString('hex') });
    prevHash = hash;
  }
  return { events, values, next: { seq, hash: prevHash, frontier: range.serialize() } };
}

/** Inserts the events only if the head is still `expected`; answers `n`, the rows inserted. */
export function compareAndAppendSql(tenantId: string | null, expected: HeadState, c: ComputedAppend): SQL {
  return sql`with audit_cas as (update audit_heads set last_seq = ${c.next.seq}, last_hash = ${c.next.hash},
        frontier = ${c.next.frontier}, updated_at = now()
        where chain = ${chainOf(tenantId)}::uuid and last_seq = ${expected.seq} and last_hash = ${expected.hash}
        returning 1),
      audit_ev as (insert into audit_events ${EVENT_INSERT_COLUMNS}
        select * from (values ${sql.join(c.values, sql`, `)}) as v
        where exists (select 1 from audit_cas) returning seq)
    select count(*)::int as n from audit_ev`;
}
