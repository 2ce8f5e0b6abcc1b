// Row decoding shared by the writer, verifier, exporter and bundle. Both drivers are handled:
// node-postgres returns bigint as string and bytea as Buffer, PGlite returns number/Uint8Array.
import { sql } from 'drizzle-orm';
import type { HashedFields } from './canonical.ts';
import type { AuditEvent, AuditMeta } from './types.ts';

// Times are formatted by the database: drivers disagree on timestamptz (Date vs string).
export const isoTimeSql = (column: string) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export const EVENT_COLUMNS = sql.raw(
  `tenant_id::text as tenant_id, seq, ${isoTimeSql('time')} as time, actor_type, actor_id, action, resource_type, resource_id, outcome, reason, ip, ua_hash, request_id, meta, prev_hash, hash`,
);

export interface EventRow {
  tenant_id: string | null;
  seq: number | string | bigint;
  time: Date | string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  outcome: string;
  reason: string | null;
  ip: string | null;
  ua_hash: string | null;
  request_id: string | null;
  meta: AuditMeta | string;
  prev_hash: Uint8Array;
  hash: Uint8Array;
}

export function toBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

export const isoTime = (t: Date | string): string => (typeof t === 'string' ? t : t.toISOString());

/** The hashed fields of a row, without copying the hashes. */
export function rowFields(r: EventRow): HashedFields {
  return {
    tenantId: r.tenant_id,
    seq: Number(r.seq),
    time: isoTime(r.time),
    actorType: r.actor_type,
    actorId: r.actor_id,
    action: r.action,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    outcome: r.outcome,
    reason: r.reason,
    ip: r.ip,
    uaHash: r.ua_hash,
    requestId: r.request_id,
    meta: typeof r.meta === 'string' ? (JSON.parse(r.meta) as AuditMeta) : r.meta,
  };
}

export function rowToEvent(r: EventRow): AuditEvent {
  return {
    ...rowFields(r),
    prevHash: toBuffer(r.prev_hash).toString('hex'),
    hash: toBuffer(r.hash).toString('hex'),
  };
}
