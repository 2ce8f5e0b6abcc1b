// The backup format (vigil-backup/1): a directory with `manifest.json` and encrypted parts.
//   part file  = AES-256-GCM(backup key, gzip(JSON lines, one row per line)),
//                AAD = (backup id, file name, table, part index), so parts cannot be swapped
//   manifest   = tables, row counts, SHA-256 of every part file, sequences, migrations, the
//                backup key wrapped by the key provider (never the master key itself), the
//                erasure-ledger head at backup time, and an HMAC over all of it with a key
//                derived from the backup key (HKDF), so no part can be dropped or renamed.
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { encodeParts, openAesGcm, sealAesGcm } from '../crypto/aead.ts';

export const BACKUP_FORMAT = 'vigil-backup/1';

export interface PartRef {
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface TableDump {
  name: string;
  rows: number;
  parts: PartRef[];
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  backupId: string;
  createdAt: string;
  engine: 'pglite' | 'postgres';
  /** Applied migrations (id + checksum): the target must have exactly these. */
  migrations: { id: string; checksum: string }[];
  key: { providerId: string; kekVersion: number; wrapped: string; context: string };
  /** The erasure ledger when the backup was taken; restore refuses an older or foreign ledger. */
  erasureLedger: { entries: number; headHash: string | null };
  tables: TableDump[];
  sequences: { name: string; value: number | null }[];
  mac: string;
}

export const keyContext = (backupId: string) => `vigil.backup.v1:${backupId}`;

export function partAad(backupId: string, file: string, table: string, index: number): Buffer {
  return encodeParts('vigil.backup.part.v1', [backupId, file, table, String(index)]);
}

export const sha256Hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const macKey = (backupKey: Buffer, backupId: string) =>
  Buffer.from(
    hkdfSync('sha256', backupKey, Buffer.from(backupId, 'utf8'), 'vigil.backup.manifest-mac.v1', 32),
  );

/** HMAC over the manifest without its mac (JSON with the fields in a fixed order). */
export function manifestMac(backupKey: Buffer, m: Omit<BackupManifest, 'mac'>): string {
  const body = JSON.stringify([
    m.format,
    m.backupId,
    m.createdAt,
    m.engine,
    m.migrations,
    m.key,
    m.erasureLedger,
    m.tables,
    m.sequences,
  ]);
  return createHmac('sha256', macKey(backupKey, m.backupId)).update(body).digest('hex');
}

export function macMatches(backupKey: Buffer, m: BackupManifest): boolean {
  const want = Buffer.from(manifestMac(backupKey, m), 'hex');
  const got = Buffer.from(typeof m.mac === 'string' ? m.mac : '', 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

export const sealPart = (key: Buffer, plain: Buffer, aad: Buffer) => sealAesGcm(key, plain, aad);
export const openPart = (key: Buffer, sealed: Buffer, aad: Buffer) => openAesGcm(key, sealed, aad);
