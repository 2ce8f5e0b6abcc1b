// `vigil backup`: one consistent snapshot (a repeatable-read, read-only owner transaction) of
// every data table, written as encrypted, integrity-checked parts plus a manifest. The data keys
// in the dump stay wrapped as they are in the database; the backup key is wrapped by the key
// provider; the master key never leaves it.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { readErasureLedger } from '../crypto/ledger.ts';
import type { KeyProvider } from '../crypto/provider.ts';
import type { AuditEventInput } from '../platform/audit-port.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import {
  BACKUP_FORMAT,
  type BackupManifest,
  keyContext,
  manifestMac,
  type PartRef,
  partAad,
  sealPart,
  sha256Hex,
  type TableDump,
} from './format.ts';
import { appliedMigrations, dataTables, quoteIdent } from './schema.ts';

export interface BackupOptions {
  db: Database;
  provider: KeyProvider;
  /** The data dir whose erasure ledger (and ledger key) belongs to this database. */
  dataDir: string;
  outDir: string;
  /** Rows per part (default 20,000) and per cursor fetch. */
  partRows?: number;
  /** Records backup.create on the platform audit chain after the backup is complete. */
  record?: (e: AuditEventInput) => Promise<void>;
}

export interface BackupResult {
  dir: string;
  manifest: BackupManifest;
}

async function dumpTable(
  tx: Tx,
  table: string,
  o: { key: Buffer; backupId: string; outDir: string; partRows: number; next: () => number },
): Promise<TableDump> {
  const parts: PartRef[] = [];
  let total = 0;
  let lines: string[] = [];
  const flush = () => {
    if (lines.length === 0) return;
    const index = o.next();
    const file = `${String(index).padStart(5, '0')}.part`;
    const sealed = sealPart(
      o.key,
      gzipSync(Buffer.from(lines.join('\n'), 'utf8')),
      partAad(o.backupId, file, table, index),
    );
    writeFileSync(join(o.outDir, file), sealed, { mode: 0o600, flag: 'wx' });
    parts.push({ file, rows: lines.length, bytes: sealed.length, sha256: sha256Hex(sealed) });
    lines = [];
  };
  const cursor = `vigil_backup_${table}`.slice(0, 60);
  await tx.execute(
    sql.raw(
      `declare ${quoteIdent(cursor)} no scroll cursor for select row_to_json(t)::text as r from public.${quoteIdent(table)} t`,
    ),
  );
  for (;;) {
    const batch = await rows<{ r: string }>(
      tx,
      sql.raw(`fetch ${Math.min(o.partRows, 5000)} from ${quoteIdent(cursor)}`),
    );
    if (batch.length === 0) break;
    for (const b of batch) lines.push(b.r);
    total += batch.length;
    if (lines.length >= o.partRows) flush();
  }
  flush();
  await tx.execute(sql.raw(`close ${quoteIdent(cursor)}`));
  return { name: table, rows: total, parts };
}

export async function createBackup(o: BackupOptions): Promise<BackupResult> {
  if (existsSync(o.outDir) && readdirSync(o.outDir).length > 0)
    throw new Error('backup directory is not empty');
  mkdirSync(o.outDir, { recursive: true, mode: 0o700 });
  const backupId = randomUUID();
  const key = randomBytes(32);
  try {
    const wrapped = await o.provider.wrapKey(key, keyContext(backupId));
    let partIndex = 0;
    const snapshot = await o.db.withOwner(async (tx) => {
      await tx.execute(sql`set transaction isolation level repeatable read, read only`);
      const migrations = await appliedMigrations(tx);
      const tables: TableDump[] = [];
      for (const t of await dataTables(tx)) {
        tables.push(
          await dumpTable(tx, t, {
            key,
            backupId,
            outDir: o.outDir,
            partRows: o.partRows ?? 20_000,
            next: () => ++partIndex,
          }),
        );
      }
      const sequences = (
        await rows<{ name: string; value: number | string | null }>(
          tx,
          sql`select sequencename as name, last_value as value from pg_sequences where schemaname = 'public' order by 1`,
        )
      ).map((s) => ({ name: s.name, value: s.value === null ? null : Number(s.value) }));
      return { migrations, tables, sequences };
    });
    // Read after the snapshot: every erasure the snapshot reflects is in the ledger by now.
    const ledger = readErasureLedger(o.dataDir);
    const body: Omit<BackupManifest, 'mac'> = {
      format: BACKUP_FORMAT,
      backupId,
      createdAt: new Date().toISOString(),
      engine: o.db.kind,
      migrations: snapshot.migrations,
      key: {
        providerId: o.provider.id,
        kekVersion: wrapped.kekVersion,
        wrapped: wrapped.wrapped.toString('base64'),
        context: keyContext(backupId),
      },
      erasureLedger: { entries: ledger.length, headHash: ledger[ledger.length - 1]?.hash ?? null },
      tables: snapshot.tables,
      sequences: snapshot.sequences,
    };
    const manifest: BackupManifest = { ...body, mac: manifestMac(key, body) };
    // The manifest is written last: a backup interrupted before it is recognisably incomplete.
    writeFileSync(join(o.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
    await o.record?.({
      tenantId: null,
      actorType: 'system',
      actorId: 'cli',
      action: 'backup.create',
      resourceType: 'backup',
      resourceId: backupId,
      outcome: 'success',
      meta: { tables: snapshot.tables.length, rows: snapshot.tables.reduce((n, t) => n + t.rows, 0) },
    });
    return { dir: o.outDir, manifest };
  } finally {
    key.fill(0);
  }
}
