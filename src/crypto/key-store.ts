// SQL for wrapped keys. Every function takes the caller's transaction: PGlite has one
// connection, so the keyring must never open a second transaction while one is in progress.
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';
import type { WrappedKey } from './provider.ts';

/** PGlite returns bytea as Uint8Array, node-postgres as Buffer. */
export const toBuffer = (v: Uint8Array): Buffer =>
  Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);

export interface StoredKekWrapped {
  version: number;
  wrapped: WrappedKey | null;
  kekId: string;
  state: string;
}

type KeyRow = {
  version: number;
  wrapped_key: Uint8Array | null;
  kek_id: string;
  kek_version: number;
  state: string;
};
const fromRow = (r: KeyRow): StoredKekWrapped => ({
  version: r.version,
  wrapped: r.wrapped_key ? { wrapped: toBuffer(r.wrapped_key), kekVersion: r.kek_version } : null,
  kekId: r.kek_id,
  state: r.state,
});

// --- tenant data keys ---

export async function selectTenantKey(
  tx: Tx,
  tenantId: string,
  version: number,
): Promise<StoredKekWrapped | undefined> {
  const [r] = await rows<KeyRow>(
    tx,
    sql`select version, wrapped_key, kek_id, kek_version, state from tenant_keys where tenant_id = ${tenantId} and version = ${version}`,
  );
  return r && fromRow(r);
}

export async function selectActiveTenantKey(tx: Tx, tenantId: string): Promise<StoredKekWrapped | undefined> {
  const [r] = await rows<KeyRow>(
    tx,
    sql`select version, wrapped_key, kek_id, kek_version, state from tenant_keys where tenant_id = ${tenantId} and state = 'active'`,
  );
  return r && fromRow(r);
}

export async function selectTenantKeys(tx: Tx, tenantId: string): Promise<StoredKekWrapped[]> {
  const r = await rows<KeyRow>(
    tx,
    sql`select version, wrapped_key, kek_id, kek_version, state from tenant_keys where tenant_id = ${tenantId} order by version`,
  );
  return r.map(fromRow);
}

export async function countTenantKeys(tx: Tx, tenantId: string): Promise<number> {
  const [r] = await rows<{ n: number }>(
    tx,
    sql`select count(*)::int as n from tenant_keys where tenant_id = ${tenantId}`,
  );
  return r?.n ?? 0;
}

/** Inserts the first DEK; a concurrent creator wins harmlessly (the loser re-reads). */
export async function insertFirstTenantKey(
  tx: Tx,
  tenantId: string,
  kekId: string,
  w: WrappedKey,
): Promise<void> {
  await tx.execute(sql`insert into tenant_keys (tenant_id, version, wrapped_key, kek_id, kek_version, state)
    values (${tenantId}, 1, ${w.wrapped}, ${kekId}, ${w.kekVersion}, 'active') on conflict do nothing`);
}

/** Retires the active DEK and activates `version` in one step. */
export async function insertRotatedTenantKey(
  tx: Tx,
  tenantId: string,
  version: number,
  kekId: string,
  w: WrappedKey,
): Promise<void> {
  await tx.execute(
    sql`update tenant_keys set state = 'retired', retired_at = now() where tenant_id = ${tenantId} and state = 'active'`,
  );
  await tx.execute(sql`insert into tenant_keys (tenant_id, version, wrapped_key, kek_id, kek_version, state)
    values (${tenantId}, ${version}, ${w.wrapped}, ${kekId}, ${w.kekVersion}, 'active')`);
}

export async function updateTenantKeyWrapping(
  tx: Tx,
  tenantId: string,
  version: number,
  kekId: string,
  w: WrappedKey,
): Promise<void> {
  await tx.execute(sql`update tenant_keys set wrapped_key = ${w.wrapped}, kek_id = ${kekId}, kek_version = ${w.kekVersion}
    where tenant_id = ${tenantId} and version = ${version} and wrapped_key is not null`);
}

export async function destroyTenantKeys(tx: Tx, tenantId: string): Promise<number[]> {
  const r = await rows<{ version: number }>(
    tx,
    sql`update tenant_keys set wrapped_key = null, state = 'destroyed', destroyed_at = now()
      where tenant_id = ${tenantId} and wrapped_key is not null returning version`,
  );
  return r.map((x) => x.version).sort((a, b) => a - b);
}

// --- blind-index keys ---

export async function selectIndexKey(tx: Tx, tenantId: string): Promise<StoredKekWrapped | undefined> {
  const [r] = await rows<KeyRow>(
    tx,
    sql`select 1 as version, wrapped_key, kek_id, kek_version, case when wrapped_key is null then 'destroyed' else 'active' end as state
      from tenant_index_keys where tenant_id = ${tenantId}`,
  );
  return r && fromRow(r);
}

export async function insertIndexKey(tx: Tx, tenantId: string, kekId: string, w: WrappedKey): Promise<void> {
  await tx.execute(sql`insert into tenant_index_keys (tenant_id, wrapped_key, kek_id, kek_version)
    values (${tenantId}, ${w.wrapped}, ${kekId}, ${w.kekVersion}) on conflict do nothing`);
}

export async function updateIndexKeyWrapping(
  tx: Tx,
  tenantId: string,
  kekId: string,
  w: WrappedKey,
): Promise<void> {
  await tx.execute(sql`update tenant_index_keys set wrapped_key = ${w.wrapped}, kek_id = ${kekId}, kek_version = ${w.kekVersion}
    where tenant_id = ${tenantId} and wrapped_key is not null`);
}

export async function destroyIndexKey(tx: Tx, tenantId: string): Promise<boolean> {
  const r = await rows<{ tenant_id: string }>(
    tx,
    sql`update tenant_index_keys set wrapped_key = null, destroyed_at = now()
      where tenant_id = ${tenantId} and wrapped_key is not null returning tenant_id`,
  );
  return r.length > 0;
}

// --- subject keys (wrapped by the tenant DEK, not the KEK) ---

export interface StoredSubjectKey {
  wrapped: Buffer | null;
  dekVersion: number;
}

export async function selectSubjectKey(
  tx: Tx,
  tenantId: string,
  subjectId: string,
): Promise<StoredSubjectKey | undefined> {
  const [r] = await rows<{ wrapped_key: Uint8Array | null; dek_version: number }>(
    tx,
    sql`select wrapped_key, dek_version from subject_keys where tenant_id = ${tenantId} and subject_id = ${subjectId}`,
  );
  return r && { wrapped: r.wrapped_key ? toBuffer(r.wrapped_key) : null, dekVersion: r.dek_version };
}

export async function insertSubjectKey(
  tx: Tx,
  tenantId: string,
  subjectId: string,
  wrapped: Buffer,
  dekVersion: number,
): Promise<void> {
  await tx.execute(sql`insert into subject_keys (tenant_id, subject_id, wrapped_key, dek_version)
    values (${tenantId}, ${subjectId}, ${wrapped}, ${dekVersion}) on conflict do nothing`);
}

export async function selectSubjectKeysBelow(tx: Tx, tenantId: string, dekVersion: number, limit: number) {
  const r = await rows<{ subject_id: string; wrapped_key: Uint8Array }>(
    tx,
    sql`select subject_id, wrapped_key from subject_keys
      where tenant_id = ${tenantId} and dek_version < ${dekVersion} and wrapped_key is not null
      order by subject_id limit ${limit}`,
  );
  return r.map((x) => ({ subjectId: x.subject_id, wrapped: toBuffer(x.wrapped_key) }));
}

export async function updateSubjectKeyWrapping(
  tx: Tx,
  tenantId: string,
  subjectId: string,
  wrapped: Buffer,
  dekVersion: number,
) {
  await tx.execute(sql`update subject_keys set wrapped_key = ${wrapped}, dek_version = ${dekVersion}
    where tenant_id = ${tenantId} and subject_id = ${subjectId} and wrapped_key is not null`);
}

/**
 * Erases a subject for good: overwrites the wrapped key, or writes a tombstone when the subject
 * had no key yet, so later reads and writes for the subject report data_erased. True when a
 * live key was destroyed.
 */
export async function tombstoneSubjectKey(tx: Tx, tenantId: string, subjectId: string): Promise<boolean> {
  const live = await rows<{ n: number }>(
    tx,
    sql`select 1 as n from subject_keys where tenant_id = ${tenantId} and subject_id = ${subjectId} and wrapped_key is not null`,
  );
  await tx.execute(sql`insert into subject_keys (tenant_id, subject_id, wrapped_key, dek_version, destroyed_at)
    values (${tenantId}, ${subjectId}, null, 0, now())
    on conflict (tenant_id, subject_id) do update set wrapped_key = null, destroyed_at = coalesce(subject_keys.destroyed_at, now())`);
  return live.length > 0;
}

/** Overwrites a live wrapped key (ledger replay: the tenant row may predate the subject). */
export async function destroySubjectKey(tx: Tx, tenantId: string, subjectId: string): Promise<boolean> {
  const r = await rows<{ subject_id: string }>(
    tx,
    sql`update subject_keys set wrapped_key = null, destroyed_at = now()
      where tenant_id = ${tenantId} and subject_id = ${subjectId} and wrapped_key is not null returning subject_id`,
  );
  return r.length > 0;
}

export async function destroyAllSubjectKeys(tx: Tx, tenantId: string): Promise<number> {
  const r = await rows<{ n: number }>(
    tx,
    sql`with d as (update subject_keys set wrapped_key = null, destroyed_at = now()
      where tenant_id = ${tenantId} and wrapped_key is not null returning 1) select count(*)::int as n from d`,
  );
  return r[0]?.n ?? 0;
}

// --- platform keys ---

export async function selectPlatformKey(tx: Tx, version?: number): Promise<StoredKekWrapped | undefined> {
  const where = version === undefined ? sql`state = 'active'` : sql`version = ${version}`;
  const [r] = await rows<KeyRow>(
    tx,
    sql`select version, wrapped_key, kek_id, kek_version, state from platform_keys where ${where}`,
  );
  return r && fromRow(r);
}

export async function selectPlatformKeys(tx: Tx): Promise<StoredKekWrapped[]> {
  const r = await rows<KeyRow>(
    tx,
    sql`select version, wrapped_key, kek_id, kek_version, state from platform_keys order by version`,
  );
  return r.map(fromRow);
}

export async function insertFirstPlatformKey(tx: Tx, kekId: string, w: WrappedKey): Promise<void> {
  await tx.execute(sql`insert into platform_keys (version, wrapped_key, kek_id, kek_version, state)
    values (1, ${w.wrapped}, ${kekId}, ${w.kekVersion}, 'active') on conflict do nothing`);
}

export async function updatePlatformKeyWrapping(
  tx: Tx,
  version: number,
  kekId: string,
  w: WrappedKey,
): Promise<void> {
  await tx.execute(sql`update platform_keys set wrapped_key = ${w.wrapped}, kek_id = ${kekId}, kek_version = ${w.kekVersion}
    where version = ${version}`);
}
