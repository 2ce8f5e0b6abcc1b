// The erasure ledger: an append-only, hash-chained, Ed25519-signed JSONL file outside the
// database. A database restored from a backup taken before a shred still holds the shredded
// keys; replaying this ledger destroys them again. The signing key lives beside the KEK
// (${dataDir}/keys), never in the database, so a database writer cannot forge entries.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Database, Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { destroyAllSubjectKeys, destroyIndexKey, destroySubjectKey, destroyTenantKeys } from './key-store.ts';

export interface ErasureEntry {
  seq: number;
  time: string;
  kind: 'subject' | 'tenant';
  tenantId: string;
  subjectId?: string;
  keyIds: string[];
  /**
   * Set when the shred was an erasure of the subject's data (not only of the key, as in a
   * merge): a replay then deletes the subject's rows the way the live erasure did.
   */
  erasure?: ErasureMark;
  prevHash: string;
  hash: string;
  sig: string;
}

export interface ErasureMark {
  reason: 'request' | 'retention' | 'offboarding';
  requestId: string | null;
}

export type ErasureRequest = Pick<ErasureEntry, 'kind' | 'tenantId' | 'subjectId' | 'keyIds' | 'erasure'>;

const GENESIS = '0'.repeat(64);
export const erasureLedgerPath = (dataDir: string) => join(dataDir, 'ledger', 'erasure.jsonl');
const signingKeyPath = (dataDir: string) => join(dataDir, 'keys', 'ledger-ed25519.pem');
const tampered = () => new VigilError('internal', 'erasure ledger failed verification');

export function loadLedgerSigningKey(dataDir: string): { privateKey: KeyObject; publicKey: KeyObject } {
  const path = signingKeyPath(dataDir);
  if (!existsSync(path)) {
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    try {
      writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const privateKey = createPrivateKey(readFileSync(path));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

function entryHash(e: Omit<ErasureEntry, 'hash' | 'sig'>): string {
  const fields: unknown[] = [e.seq, e.time, e.kind, e.tenantId, e.subjectId ?? null, e.keyIds, e.prevHash];
  // Entries written before the erasure mark existed hash exactly as they did.
  if (e.erasure) fields.push(e.erasure.reason, e.erasure.requestId);
  const canonical = JSON.stringify(fields);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** Reads and verifies the whole chain; any gap, edit or bad signature throws. */
export function readErasureLedger(
  dataDir: string,
  publicKey = loadLedgerSigningKey(dataDir).publicKey,
): ErasureEntry[] {
  const path = erasureLedgerPath(dataDir);
  if (!existsSync(path)) return [];
  const entries: ErasureEntry[] = [];
  let prev = GENESIS;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let e: ErasureEntry;
    try {
      e = JSON.parse(line) as ErasureEntry;
    } catch {
      throw tampered();
    }
    const { hash, sig, ...body } = e;
    if (e.seq !== entries.length + 1 || e.prevHash !== prev || entryHash(body) !== hash) throw tampered();
    if (!verify(null, Buffer.from(hash, 'hex'), publicKey, Buffer.from(sig, 'base64'))) throw tampered();
    entries.push(e);
    prev = hash;
  }
  return entries;
}

// Appends within one process are serialized; one process per data dir writes the ledger.
let appendQueue: Promise<unknown> = Promise.resolve();

export function appendErasure(dataDir: string, req: ErasureRequest): Promise<ErasureEntry> {
  const run = async () => {
    const { privateKey, publicKey } = loadLedgerSigningKey(dataDir);
    const existing = readErasureLedger(dataDir, publicKey);
    const last = existing[existing.length - 1];
    const body: Omit<ErasureEntry, 'hash' | 'sig'> = {
      seq: (last?.seq ?? 0) + 1,
      time: new Date().toISOString(),
      kind: req.kind,
      tenantId: req.tenantId,
      ...(req.subjectId ? { subjectId: req.subjectId } : {}),
      keyIds: req.keyIds,
      ...(req.erasure ? { erasure: req.erasure } : {}),
      prevHash: last?.hash ?? GENESIS,
    };
    const hash = entryHash(body);
    const entry: ErasureEntry = {
      ...body,
      hash,
      sig: sign(null, Buffer.from(hash, 'hex'), privateKey).toString('base64'),
    };
    mkdirSync(join(dataDir, 'ledger'), { recursive: true, mode: 0o700 });
    // fsync before the key is destroyed: the ledger line must survive a crash right after.
    const fd = openSync(erasureLedgerPath(dataDir), 'a', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return entry;
  };
  const p = appendQueue.then(run, run);
  appendQueue = p.catch(() => {});
  return p;
}

export interface ReplayResult {
  entries: number;
  /** Keys that were still present in the database and have now been destroyed again. */
  keysDestroyed: number;
}

/** What the erasure of a subject's data does to the rows (the privacy domain provides it). */
export type ReplaySubjectErasure = (
  tx: Tx,
  e: { tenantId: string; subjectId: string; erasedAt: string } & ErasureMark,
) => Promise<void>;

/**
 * Re-destroys every key named in the ledger. Run after restoring a database backup; with
 * `eraseSubject`, entries of data erasures also delete the subject's rows again.
 */
export async function replayErasureLedger(
  db: Database,
  opts: { dataDir: string; eraseSubject?: ReplaySubjectErasure },
): Promise<ReplayResult> {
  const entries = readErasureLedger(opts.dataDir);
  let keysDestroyed = 0;
  for (const e of entries) {
    keysDestroyed += await db.withTenant(e.tenantId, async (tx) => {
      if (e.kind === 'subject' && e.subjectId && e.erasure && opts.eraseSubject)
        await opts.eraseSubject(tx, {
          tenantId: e.tenantId,
          subjectId: e.subjectId,
          erasedAt: e.time,
          ...e.erasure,
        });
      if (e.kind === 'subject')
        return e.subjectId && (await destroySubjectKey(tx, e.tenantId, e.subjectId)) ? 1 : 0;
      const deks = await destroyTenantKeys(tx, e.tenantId);
      const index = await destroyIndexKey(tx, e.tenantId);
      const subjects = await destroyAllSubjectKeys(tx, e.tenantId);
      return deks.length + (index ? 1 : 0) + subjects;
    });
  }
  return { entries: entries.length, keysDestroyed };
}
