// The keyring: envelope encryption of fields, blind indexes, subject and tenant shredding and
// platform secrets. Every method that touches the database takes an optional transaction:
// pass yours when you are inside one (PGlite has a single connection; a second transaction
// opened while yours is open would wait forever).
import type { Database, Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { encodeParts, openAesGcm, sealAesGcm } from './aead.ts';
import { type BlindIndexKind, computeBlindIndex, normalizeForIndex } from './blind-index.ts';
import { decodeEnvelope, encodeHeader, isUuid } from './envelope.ts';
import { createKeyResolver, decryptionFailed, type FieldContext, fieldAad } from './key-resolver.ts';
import * as store from './key-store.ts';
import { appendErasure, type ErasureEntry, type ErasureMark } from './ledger.ts';
import { cryptoMetrics } from './metrics.ts';
import type { KeyProvider } from './provider.ts';

export type { FieldContext };

export interface KeyringOptions {
  db: Database;
  provider: KeyProvider;
  /** Holds the erasure ledger (and, for the local provider, the key files). */
  dataDir: string;
  /** How long unwrapped keys stay in memory; default 5 minutes. */
  cacheTtlMs?: number;
  cacheMaxEntries?: number;
  /** Region for phone numbers written without a country code; default 'DE'. */
  defaultRegion?: string;
}

export interface ShredResult {
  entry: ErasureEntry;
  /** False when there was no live key any more (already erased, or never written). */
  destroyed: boolean;
}

export interface Keyring {
  readonly db: Database;
  readonly provider: KeyProvider;
  readonly dataDir: string;
  ensureTenantKeys(tenantId: string, tx?: Tx): Promise<void>;
  encryptField(ctx: FieldContext, plaintext: string | Buffer, tx?: Tx): Promise<Buffer>;
  decryptField(ctx: FieldContext, ciphertext: Buffer, tx?: Tx): Promise<Buffer>;
  decryptFieldText(ctx: FieldContext, ciphertext: Buffer, tx?: Tx): Promise<string>;
  blindIndex(
    tenantId: string,
    kind: BlindIndexKind,
    value: string,
    tx?: Tx,
    opts?: { defaultRegion?: string },
  ): Promise<Buffer>;
  createSubjectKey(tenantId: string, subjectId: string, tx?: Tx): Promise<void>;
  /** `erasure` marks a data erasure in the ledger, so a replay after a restore deletes the rows too. */
  shredSubject(tenantId: string, subjectId: string, tx?: Tx, erasure?: ErasureMark): Promise<ShredResult>;
  shredTenant(tenantId: string, tx?: Tx): Promise<ShredResult>;
  sealPlatformSecret(purpose: string, recordId: string, plaintext: Buffer, tx?: Tx): Promise<Buffer>;
  openPlatformSecret(purpose: string, recordId: string, sealed: Buffer, tx?: Tx): Promise<Buffer>;
  /** Rotation: re-seals a tenant-DEK value under targetVersion; null when nothing to do. */
  reencryptField(
    ctx: FieldContext,
    ciphertext: Buffer,
    targetVersion: number,
    tx: Tx,
  ): Promise<Buffer | null>;
  forgetTenant(tenantId: string): void;
  clearCache(): void;
}

const platformAad = (headerBytes: Buffer, purpose: string, recordId: string) =>
  Buffer.concat([headerBytes, encodeParts('vigil.platform-secret.v1', [purpose, recordId])]);
const toBytes = (p: string | Buffer) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p);

function checkSubject(subjectId: string): void {
  if (!isUuid(subjectId)) throw new VigilError('invalid_input', 'subject id must be a uuid');
}

export function createKeyring(opts: KeyringOptions): Keyring {
  const { db, provider, dataDir } = opts;
  const keys = createKeyResolver({
    db,
    provider,
    cacheTtlMs: opts.cacheTtlMs ?? 5 * 60_000,
    cacheMaxEntries: opts.cacheMaxEntries ?? 10_000,
  });

  async function encryptField(ctx: FieldContext, plaintext: string | Buffer, tx?: Tx): Promise<Buffer> {
    cryptoMetrics.encryptions++;
    if (!ctx.subjectId)
      return keys.sealWithDek(await keys.activeDek(ctx.tenantId, tx), ctx, toBytes(plaintext));
    checkSubject(ctx.subjectId);
    const k = await keys.subjectKey(ctx.tenantId, ctx.subjectId, true, tx);
    const header = encodeHeader({ scope: 'subject', keyVersion: k.version, subjectId: ctx.subjectId });
    return Buffer.concat([header, sealAesGcm(k.key, toBytes(plaintext), fieldAad(header, ctx))]);
  }

  async function decryptField(ctx: FieldContext, ciphertext: Buffer, tx?: Tx): Promise<Buffer> {
    cryptoMetrics.decryptions++;
    let envelope: ReturnType<typeof decodeEnvelope>;
    try {
      envelope = decodeEnvelope(ciphertext);
    } catch (e) {
      cryptoMetrics.decryptFailures++;
      throw e;
    }
    const { header, headerBytes, sealed } = envelope;
    if (header.scope === 'tenant') return keys.openWithDek(ctx, ciphertext, tx);
    if (header.scope !== 'subject' || !header.subjectId) throw decryptionFailed();
    if (ctx.subjectId && ctx.subjectId !== header.subjectId) throw decryptionFailed();
    const k = await keys.subjectKey(ctx.tenantId, header.subjectId, false, tx);
    const plaintext = openAesGcm(k.key, sealed, fieldAad(headerBytes, ctx));
    if (!plaintext) throw decryptionFailed();
    return plaintext;
  }

  async function shredSubject(
    tenantId: string,
    subjectId: string,
    tx?: Tx,
    erasure?: ErasureMark,
  ): Promise<ShredResult> {
    checkSubject(subjectId);
    // Ledger first: if the process dies between the two steps, a replay finishes the job.
    const entry = await appendErasure(dataDir, {
      kind: 'subject',
      tenantId,
      subjectId,
      keyIds: [`subject:${tenantId}:${subjectId}`],
      ...(erasure ? { erasure } : {}),
    });
    const destroyed = await keys.inTenant(tenantId, tx, (t) =>
      store.tombstoneSubjectKey(t, tenantId, subjectId),
    );
    keys.forgetSubject(tenantId, subjectId);
    return { entry, destroyed };
  }

  async function shredTenant(tenantId: string, tx?: Tx): Promise<ShredResult> {
    const versions = await keys.inTenant(tenantId, tx, (t) => store.selectTenantKeys(t, tenantId));
    const keyIds = [
      ...versions.map((v) => `tenant-dek:${tenantId}:v${v.version}`),
      `tenant-index:${tenantId}`,
      `tenant-subjects:${tenantId}`,
    ];
    const entry = await appendErasure(dataDir, { kind: 'tenant', tenantId, keyIds });
    const destroyed = await keys.inTenant(tenantId, tx, async (t) => {
      const deks = await store.destroyTenantKeys(t, tenantId);
      const index = await store.destroyIndexKey(t, tenantId);
      await store.destroyAllSubjectKeys(t, tenantId);
      return deks.length > 0 || index;
    });
    keys.forgetTenant(tenantId);
    return { entry, destroyed };
  }

  return {
    db,
    provider,
    dataDir,
    ensureTenantKeys: keys.ensureTenantKeys,
    encryptField,
    decryptField,
    decryptFieldText: async (ctx, c, tx) => (await decryptField(ctx, c, tx)).toString('utf8'),
    blindIndex: async (tenantId, kind, value, tx, o) => {
      cryptoMetrics.blindIndexes++;
      const normalized = normalizeForIndex(kind, value, o?.defaultRegion ?? opts.defaultRegion ?? 'DE');
      return computeBlindIndex((await keys.indexKey(tenantId, tx)).key, kind, normalized);
    },
    createSubjectKey: async (tenantId, subjectId, tx) => {
      checkSubject(subjectId);
      await keys.subjectKey(tenantId, subjectId, true, tx);
    },
    shredSubject,
    shredTenant,
    sealPlatformSecret: async (purpose, recordId, plaintext, tx) => {
      const k = await keys.platformKey(undefined, tx);
      const header = encodeHeader({ scope: 'platform', keyVersion: k.version });
      return Buffer.concat([header, sealAesGcm(k.key, plaintext, platformAad(header, purpose, recordId))]);
    },
    openPlatformSecret: async (purpose, recordId, sealedValue, tx) => {
      const { header, headerBytes, sealed } = decodeEnvelope(sealedValue);
      if (header.scope !== 'platform') throw decryptionFailed();
      const k = await keys.platformKey(header.keyVersion, tx);
      const plaintext = openAesGcm(k.key, sealed, platformAad(headerBytes, purpose, recordId));
      if (!plaintext) throw decryptionFailed();
      return plaintext;
    },
    reencryptField: async (ctx, ciphertext, targetVersion, tx) => {
      const { header } = decodeEnvelope(ciphertext);
      if (header.scope !== 'tenant' || header.keyVersion >= targetVersion) return null;
      const plaintext = await keys.openWithDek(ctx, ciphertext, tx);
      try {
        return keys.sealWithDek(await keys.dek(ctx.tenantId, targetVersion, tx), ctx, plaintext);
      } finally {
        plaintext.fill(0);
      }
    },
    forgetTenant: keys.forgetTenant,
    clearCache: keys.clearCache,
  };
}
