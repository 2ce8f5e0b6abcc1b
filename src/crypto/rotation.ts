// Tenant DEK rotation with a resumable re-encryption job, and KEK rotation (re-wrap only).
// New writes use the new DEK as soon as rotateTenantKey commits the new version; retired
// versions stay readable, so values written meanwhile by a node with a stale cache still open.
import { randomBytes } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { dekContext, subjectKeyField } from './key-resolver.ts';
import * as store from './key-store.ts';
import type { Keyring } from './keyring.ts';
import { type EncryptedColumn, encryptedColumnKey, listEncryptedColumns } from './registry.ts';

const SUBJECTS_PHASE = 'subject_keys';

export interface RotationProgress {
  jobId: string;
  tenantId: string;
  targetVersion: number;
  state: 'running' | 'completed';
  doneColumns: string[];
  currentColumn: string | null;
  subjectsRewrapped: number;
  rowsScanned: number;
  rowsReencrypted: number;
}

export interface RotateTenantKeyOptions {
  keyring: Keyring;
  tenantId: string;
  batchSize?: number;
  /** Aborting stops between batches; progress so far is committed and the next call resumes. */
  signal?: AbortSignal;
  onProgress?: (p: RotationProgress) => void;
}

type JobRow = {
  id: string;
  target_version: number;
  state: 'running' | 'completed';
  done_columns: string[];
  current_column: string | null;
  cursor: string | null;
  subjects_rewrapped: string | number;
  rows_scanned: string | number;
  rows_reencrypted: string | number;
};

const progressOf = (tenantId: string, j: JobRow): RotationProgress => ({
  jobId: j.id,
  tenantId,
  targetVersion: j.target_version,
  state: j.state,
  doneColumns: j.done_columns,
  currentColumn: j.current_column,
  subjectsRewrapped: Number(j.subjects_rewrapped),
  rowsScanned: Number(j.rows_scanned),
  rowsReencrypted: Number(j.rows_reencrypted),
});

const jobColumns = sql`id, target_version, state, done_columns, current_column, cursor, subjects_rewrapped, rows_scanned, rows_reencrypted`;

/**
 * Rotates a tenant's DEK and re-encrypts its registered columns. If a rotation job for the
 * tenant is still running (aborted or crashed), it is resumed instead of starting another.
 */
export async function rotateTenantKey(
  opts: RotateTenantKeyOptions,
): Promise<RotationProgress & { resumed: boolean }> {
  const { keyring, tenantId } = opts;
  const { job, resumed } = await keyring.db.withTenant(tenantId, async (tx) => {
    const [running] = await rows<JobRow>(
      tx,
      sql`select ${jobColumns} from key_rotation_jobs where tenant_id = ${tenantId} and state = 'running'`,
    );
    if (running) return { job: running, resumed: true };
    await keyring.ensureTenantKeys(tenantId, tx);
    const versions = await store.selectTenantKeys(tx, tenantId);
    if (!versions.some((v) => v.state === 'active'))
      throw new VigilError('data_erased', 'the data was erased');
    const next = Math.max(...versions.map((v) => v.version)) + 1;
    const raw = randomBytes(32);
    const wrapped = await keyring.provider
      .wrapKey(raw, dekContext(tenantId, next))
      .finally(() => raw.fill(0));
    await store.insertRotatedTenantKey(tx, tenantId, next, keyring.provider.id, wrapped);
    const [created] = await rows<JobRow>(
      tx,
      sql`insert into key_rotation_jobs (tenant_id, target_version) values (${tenantId}, ${next}) returning ${jobColumns}`,
    );
    return { job: created!, resumed: false };
  });
  keyring.forgetTenant(tenantId);
  const done = await runRotationJob({ ...opts, jobId: job.id });
  return { ...done, resumed };
}

/** Runs (or resumes) one rotation job to completion, one committed batch at a time. */
export async function runRotationJob(
  opts: RotateTenantKeyOptions & { jobId: string },
): Promise<RotationProgress> {
  const batchSize = opts.batchSize ?? 500;
  for (;;) {
    opts.signal?.throwIfAborted();
    const progress = await opts.keyring.db.withTenant(opts.tenantId, (tx) => runBatch(tx, opts, batchSize));
    opts.onProgress?.(progress);
    if (progress.state === 'completed') return progress;
  }
}

async function runBatch(
  tx: Tx,
  opts: RotateTenantKeyOptions & { jobId: string },
  batchSize: number,
): Promise<RotationProgress> {
  const { keyring, tenantId } = opts;
  // Row lock: two workers on the same job take turns instead of racing on the cursor.
  const [job] = await rows<JobRow>(
    tx,
    sql`select ${jobColumns} from key_rotation_jobs where id = ${opts.jobId} for update`,
  );
  if (!job) throw new VigilError('not_found', 'rotation job not found');
  if (job.state === 'completed') return progressOf(tenantId, job);
  const target = job.target_version;

  let phase: string | undefined;
  let scanned = 0;
  let changed = 0;
  let lastId: string | null = null;
  if (!job.done_columns.includes(SUBJECTS_PHASE)) {
    phase = SUBJECTS_PHASE;
    const subjects = await store.selectSubjectKeysBelow(tx, tenantId, target, batchSize);
    for (const s of subjects) {
      const rewrapped = await keyring.reencryptField(
        subjectKeyField(tenantId, s.subjectId),
        s.wrapped,
        target,
        tx,
      );
      if (rewrapped) await store.updateSubjectKeyWrapping(tx, tenantId, s.subjectId, rewrapped, target);
    }
    scanned = subjects.length;
    changed = subjects.length;
  } else {
    const column = listEncryptedColumns().find((c) => !job.done_columns.includes(encryptedColumnKey(c)));
    if (column) {
      phase = encryptedColumnKey(column);
      const cursor = job.current_column === phase ? job.cursor : null;
      const r = await reencryptColumnBatch(tx, keyring, tenantId, column, target, cursor, batchSize);
      scanned = r.scanned;
      changed = r.changed;
      lastId = r.lastId;
    }
  }

  const finished = phase === undefined;
  const phaseDone = phase !== undefined && scanned < batchSize;
  const [updated] = await rows<JobRow>(
    tx,
    sql`update key_rotation_jobs set
      state = ${finished ? 'completed' : 'running'},
      completed_at = ${finished ? sql`now()` : sql`null`},
      done_columns = ${phaseDone ? sql`array_append(done_columns, ${phase})` : sql`done_columns`},
      current_column = ${phaseDone || finished ? null : phase},
      cursor = ${phaseDone || finished ? null : lastId},
      subjects_rewrapped = subjects_rewrapped + ${phase === SUBJECTS_PHASE ? changed : 0},
      rows_scanned = rows_scanned + ${phase === SUBJECTS_PHASE ? 0 : scanned},
      rows_reencrypted = rows_reencrypted + ${phase === SUBJECTS_PHASE ? 0 : changed},
      updated_at = now()
    where id = ${opts.jobId} returning ${jobColumns}`,
  );
  return progressOf(tenantId, updated!);
}

// The id column's SQL type, so the batch update can compare ids natively (and use the index).
const idTypeCache = new Map<string, SQL>();
async function idTypeOf(tx: Tx, c: EncryptedColumn): Promise<SQL> {
  const key = `${c.table}.${c.idColumn}`;
  const known = idTypeCache.get(key);
  if (known) return known;
  const [r] = await rows<{ t: string }>(
    tx,
    sql`select format_type(atttypid, atttypmod) as t from pg_attribute where attrelid = ${c.table}::regclass and attname = ${c.idColumn}`,
  );
  if (!r || !/^[a-z0-9 _()]+$/.test(r.t))
    throw new VigilError('internal', 'encrypted column has an unsupported id type');
  const type = sql.raw(r.t);
  idTypeCache.set(key, type);
  return type;
}

async function reencryptColumnBatch(
  tx: Tx,
  keyring: Keyring,
  tenantId: string,
  c: EncryptedColumn,
  target: number,
  cursor: string | null,
  batchSize: number,
): Promise<{ scanned: number; changed: number; lastId: string | null }> {
  const table = sql.identifier(c.table);
  const id = sql.identifier(c.idColumn);
  const col = sql.identifier(c.column);
  const idType = await idTypeOf(tx, c);
  const after = cursor === null ? sql`` : sql`and ${id} > ${cursor}::${idType}`;
  // FOR UPDATE: a concurrent writer cannot change a row between our read and our rewrite.
  const batch = await rows<{ id: string; value: Uint8Array | null }>(
    tx,
    sql`select ${id}::text as id, ${col} as value from ${table}
      where ${sql.identifier(c.tenantColumn)} = ${tenantId} ${after} order by ${id} limit ${batchSize} for update`,
  );
  const updates: { id: string; c: string }[] = [];
  for (const row of batch) {
    if (!row.value) continue;
    const ctx = { tenantId, table: c.table, column: c.column, rowId: row.id };
    const next = await keyring.reencryptField(ctx, store.toBuffer(row.value), target, tx);
    if (next) updates.push({ id: row.id, c: next.toString('hex') });
  }
  if (updates.length > 0) {
    await tx.execute(sql`update ${table} as t set ${col} = decode(v.c, 'hex')
      from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as v(id text, c text)
      where t.${id} = v.id::${idType}`);
  }
  return { scanned: batch.length, changed: updates.length, lastId: batch.at(-1)?.id ?? cursor };
}
