// `vigil restore`: checks the whole backup before touching the database (manifest HMAC, SHA-256
// of every part), loads it into an empty, freshly migrated instance in one transaction, then
// replays the erasure ledger of the live installation (so subjects and tenants shredded after
// the backup was taken stay shredded) and verifies the audit log.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { verifyAuditLog } from '../audit/verify.ts';
import { readErasureLedger, replayErasureLedger } from '../crypto/ledger.ts';
import type { KeyProvider } from '../crypto/provider.ts';
import type { AuditEventInput } from '../platform/audit-port.ts';
import { type Database, rows } from '../platform/db.ts';
import { migrate } from '../platform/migrate.ts';
import { replayCustomerErasure } from '../privacy/index.ts';
import {
  BACKUP_FORMAT,
  type BackupManifest,
  keyContext,
  macMatches,
  openPart,
  partAad,
  sha256Hex,
} from './format.ts';
import { type RestoreRevocation, revokeRestoredCredentials } from './revoke.ts';
import { appliedMigrations, dataTables, quoteIdent, writableColumns } from './schema.ts';

export class BackupRejected extends Error {}

export interface RestoreOptions {
  db: Database;
  provider: KeyProvider;
  fromDir: string;
  /** Data dir holding the live erasure ledger and its signing key. */
  ledgerDir: string;
  record?: (e: AuditEventInput) => Promise<void>;
}

export interface RestoreReport {
  backupId: string;
  createdAt: string;
  tables: number;
  rows: number;
  ledger: { entries: number; keysDestroyed: number };
  /** Credentials of the backup time revoked by the restore. */
  revoked: RestoreRevocation;
  audit: {
    ok: boolean;
    events: number;
    chains: number;
    firstBad?: { tenantId: string | null; seq: number; kind: string };
  };
}

/** Reads the manifest, unwraps the backup key, checks the HMAC and every part's SHA-256. */
export async function openVerifiedBackup(
  dir: string,
  provider: KeyProvider,
): Promise<{ manifest: BackupManifest; key: Buffer }> {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) throw new BackupRejected('no manifest.json: not a backup, or an incomplete one');
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as BackupManifest;
  } catch {
    throw new BackupRejected('manifest.json is not valid JSON');
  }
  if (manifest.format !== BACKUP_FORMAT || !manifest.key || !Array.isArray(manifest.tables))
    throw new BackupRejected('unknown backup format');
  if (manifest.key.context !== keyContext(manifest.backupId))
    throw new BackupRejected('manifest failed authentication');
  let key: Buffer;
  try {
    key = await provider.unwrapKey(
      { wrapped: Buffer.from(manifest.key.wrapped, 'base64'), kekVersion: manifest.key.kekVersion },
      manifest.key.context,
    );
  } catch {
    throw new BackupRejected('the backup key does not unwrap with this key provider (another master key?)');
  }
  if (!macMatches(key, manifest)) throw new BackupRejected('manifest failed authentication');
  for (const t of manifest.tables) {
    for (const p of t.parts) {
      const file = join(dir, p.file);
      if (!/^\d{5}\.part$/.test(p.file) || !existsSync(file))
        throw new BackupRejected(`part ${p.file} is missing`);
      if (sha256Hex(readFileSync(file)) !== p.sha256)
        throw new BackupRejected(`part ${p.file} is corrupted (SHA-256 mismatch)`);
    }
  }
  return { manifest, key };
}

function readPart(dir: string, key: Buffer, m: BackupManifest, table: string, file: string): string[] {
  const index = Number(file.slice(0, 5));
  const sealed = readFileSync(join(dir, file));
  const plain = openPart(key, sealed, partAad(m.backupId, file, table, index));
  if (!plain) throw new BackupRejected(`part ${file} failed decryption`);
  return gunzipSync(plain).toString('utf8').split('\n');
}

export async function restoreBackup(o: RestoreOptions): Promise<RestoreReport> {
  const { manifest: m, key } = await openVerifiedBackup(o.fromDir, o.provider);
  try {
    // A ledger older than the backup's (or another installation's) would bring erased keys back.
    const ledger = readErasureLedger(o.ledgerDir);
    const want = m.erasureLedger;
    if (ledger.length < want.entries || (want.headHash && ledger[want.entries - 1]?.hash !== want.headHash)) {
      throw new BackupRejected(
        'the erasure ledger is older than the backup or belongs to another installation',
      );
    }
    await migrate(o.db);
    let total = 0;
    const revoked = await o.db.withOwner(async (tx) => {
      const have = await appliedMigrations(tx);
      if (JSON.stringify(have) !== JSON.stringify(m.migrations)) {
        throw new BackupRejected(
          'the target schema (migrations) differs from the backup: restore with the same Vigil version',
        );
      }
      const tables = new Set(await dataTables(tx));
      for (const t of m.tables) {
        if (!tables.has(t.name)) throw new BackupRejected(`table ${t.name} does not exist in the target`);
        const [r] = await rows<{ e: boolean }>(
          tx,
          sql.raw(`select exists (select 1 from public.${quoteIdent(t.name)}) as e`),
        );
        if (r?.e) throw new BackupRejected('the target database is not empty');
      }
      // Superusers skip triggers and foreign-key checks while loading (self-references, cycles);
      // otherwise the tables are loaded parents first.
      const [su] = await rows<{ s: boolean }>(
        tx,
        sql`select rolsuper as s from pg_roles where rolname = current_user`,
      );
      if (su?.s) await tx.execute(sql`set local session_replication_role = replica`);
      for (const t of m.tables) {
        const cols = (await writableColumns(tx, t.name)).map(quoteIdent).join(', ');
        for (const p of t.parts) {
          const lines = readPart(o.fromDir, key, m, t.name, p.file);
          if (lines.length !== p.rows)
            throw new BackupRejected(
              `part ${p.file} holds ${lines.length} rows, the manifest says ${p.rows}`,
            );
          for (let i = 0; i < lines.length; i += 2000) {
            const json = `[${lines.slice(i, i + 2000).join(',')}]`;
            await tx.execute(
              sql`insert into ${sql.raw(`public.${quoteIdent(t.name)}`)} (${sql.raw(cols)}) overriding system value
                  select ${sql.raw(cols)} from json_populate_recordset(null::${sql.raw(`public.${quoteIdent(t.name)}`)}, ${json}::json)`,
            );
          }
        }
        const [c] = await rows<{ n: number | string }>(
          tx,
          sql.raw(`select count(*) as n from public.${quoteIdent(t.name)}`),
        );
        if (Number(c?.n) !== t.rows)
          throw new BackupRejected(`table ${t.name}: ${c?.n} rows restored, the manifest says ${t.rows}`);
        total += t.rows;
      }
      for (const s of m.sequences) {
        if (s.value !== null)
          await tx.execute(sql`select setval(${`public.${quoteIdent(s.name)}`}::regclass, ${s.value}, true)`);
      }
      return revokeRestoredCredentials(tx);
    });
    // Erased subjects lose their rows the way the live erasure removed them (not only their keys).
    const replay = await replayErasureLedger(o.db, {
      dataDir: o.ledgerDir,
      eraseSubject: replayCustomerErasure,
    });
    const report = await verifyAuditLog(o.db, { all: true });
    const bad = report.chains.find((c) => !c.ok);
    await o.record?.({
      tenantId: null,
      actorType: 'system',
      actorId: 'cli',
      action: 'backup.restore',
      resourceType: 'backup',
      resourceId: m.backupId,
      outcome: report.ok ? 'success' : 'failure',
      meta: {
        rows: total,
        ledgerEntries: replay.entries,
        keysDestroyed: replay.keysDestroyed,
        auditOk: report.ok,
        revokedSessions: revoked.sessions,
        revokedApiTokens: revoked.apiTokens + revoked.scimTokens,
      },
    });
    return {
      backupId: m.backupId,
      createdAt: m.createdAt,
      tables: m.tables.length,
      rows: total,
      ledger: replay,
      revoked,
      audit: {
        ok: report.ok,
        events: report.events,
        chains: report.chains.length,
        ...(bad
          ? { firstBad: { tenantId: bad.tenantId, seq: bad.firstBadSeq ?? 0, kind: bad.kind ?? 'modified' } }
          : {}),
      },
    };
  } finally {
    key.fill(0);
  }
}
