// Finds, creates, unwraps and caches the keys below the KEK. Raw key bytes live only briefly:
// each is run through HKDF with its owner (tenant, version, subject) as context, which binds a
// wrapped key to the row it belongs to, and only the derived KeyObject is cached.
import { createSecretKey, hkdfSync, type KeyObject, randomBytes } from 'node:crypto';
import type { Database, Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { encodeParts, openAesGcm, sealAesGcm } from './aead.ts';
import { KeyCache } from './cache.ts';
import { decodeEnvelope, encodeHeader } from './envelope.ts';
import * as store from './key-store.ts';
import { cryptoMetrics } from './metrics.ts';
import type { KeyProvider, WrappedKey } from './provider.ts';

export const erased = () => {
  cryptoMetrics.erasedReads++;
  return new VigilError('data_erased', 'the data was erased');
};
export const decryptionFailed = () => {
  cryptoMetrics.decryptFailures++;
  return new VigilError('decryption_failed', 'decryption failed');
};
const unavailable = (message: string) => new VigilError('key_unavailable', message);

export interface FieldContext {
  tenantId: string;
  table: string;
  column: string;
  rowId: string;
  /** Encrypt under this data subject's key, so shredding the subject erases the value. */
  subjectId?: string;
}

/** Associated data: the authenticated header plus the value's place (tenant, table, column, row). */
export const fieldAad = (headerBytes: Buffer, ctx: FieldContext) =>
  Buffer.concat([
    headerBytes,
    encodeParts('vigil.field.v1', [ctx.tenantId, ctx.table, ctx.column, ctx.rowId]),
  ]);

/** Where a subject key sits, as a field: its wrapping is bound to tenant and subject like any value. */
export const subjectKeyField = (tenantId: string, subjectId: string): FieldContext => ({
  tenantId,
  table: 'subject_keys',
  column: 'wrapped_key',
  rowId: subjectId,
});

function deriveKey(raw: Buffer, label: string, parts: string[]): KeyObject {
  const derived = Buffer.from(hkdfSync('sha256', raw, 'vigil', encodeParts(label, parts), 32));
  const key = createSecretKey(derived);
  derived.fill(0);
  raw.fill(0);
  return key;
}

export const dekContext = (tenantId: string, version: number) => `tenant-dek:${tenantId}:v${version}`;
export const indexKeyContext = (tenantId: string) => `tenant-index:${tenantId}`;
export const platformKeyContext = (version: number) => `platform:v${version}`;

export interface ResolverOptions {
  db: Database;
  provider: KeyProvider;
  cacheTtlMs: number;
  cacheMaxEntries: number;
}

export type KeyResolver = ReturnType<typeof createKeyResolver>;

export function createKeyResolver(opts: ResolverOptions) {
  const { db, provider } = opts;
  const cache = new KeyCache<{ version: number; key: KeyObject }>(opts.cacheTtlMs, opts.cacheMaxEntries);
  const inTenant = <T>(tenantId: string, tx: Tx | undefined, fn: (tx: Tx) => Promise<T>) =>
    tx ? fn(tx) : db.withTenant(tenantId, fn);
  const inPlatform = <T>(tx: Tx | undefined, fn: (tx: Tx) => Promise<T>) =>
    tx ? fn(tx) : db.withPlatform(fn);

  async function cached(cacheKey: string, load: () => Promise<{ version: number; key: KeyObject }>) {
    const hit = cache.get(cacheKey);
    if (hit) {
      cryptoMetrics.keyCacheHits++;
      return hit;
    }
    cryptoMetrics.keyCacheMisses++;
    const loaded = await load();
    cache.set(cacheKey, loaded);
    return loaded;
  }

  async function unwrap(stored: store.StoredKekWrapped, context: string): Promise<Buffer> {
    if (!stored.wrapped) throw erased();
    if (stored.kekId !== provider.id) throw unavailable('key was wrapped by a different key provider');
    cryptoMetrics.keyUnwraps++;
    return provider.unwrapKey(stored.wrapped, context);
  }

  const wrapNewKey = async (context: string): Promise<WrappedKey> => {
    const raw = randomBytes(32);
    try {
      return await provider.wrapKey(raw, context);
    } finally {
      raw.fill(0);
    }
  };

  /** Creates DEK v1 and the blind-index key if the tenant has none. Safe to race. */
  async function ensureTenantKeys(tenantId: string, tx?: Tx): Promise<void> {
    await inTenant(tenantId, tx, async (t) => {
      if ((await store.countTenantKeys(t, tenantId)) === 0) {
        await store.insertFirstTenantKey(t, tenantId, provider.id, await wrapNewKey(dekContext(tenantId, 1)));
      }
      if (!(await store.selectIndexKey(t, tenantId))) {
        await store.insertIndexKey(t, tenantId, provider.id, await wrapNewKey(indexKeyContext(tenantId)));
      }
    });
  }

  const dekFromStored = async (tenantId: string, stored: store.StoredKekWrapped) => ({
    version: stored.version,
    key: deriveKey(await unwrap(stored, dekContext(tenantId, stored.version)), 'vigil.dek.v1', [
      tenantId,
      String(stored.version),
    ]),
  });

  /** A specific DEK version, for decryption. A version the tenant never had means a foreign ciphertext. */
  const dek = (tenantId: string, version: number, tx?: Tx) =>
    cached(`t:${tenantId}:dek:${version}`, () =>
      inTenant(tenantId, tx, async (t) => {
        const stored = await store.selectTenantKey(t, tenantId, version);
        if (!stored) throw decryptionFailed();
        return dekFromStored(tenantId, stored);
      }),
    );

  /** The DEK new values are sealed with; created on first use. */
  const activeDek = (tenantId: string, tx?: Tx) =>
    cached(`t:${tenantId}:active`, () =>
      inTenant(tenantId, tx, async (t) => {
        let stored = await store.selectActiveTenantKey(t, tenantId);
        if (!stored) {
          await ensureTenantKeys(tenantId, t);
          stored = await store.selectActiveTenantKey(t, tenantId);
        }
        // Keys exist but none is active: the tenant was shredded.
        if (!stored) throw erased();
        return dekFromStored(tenantId, stored);
      }),
    );

  const indexKey = (tenantId: string, tx?: Tx) =>
    cached(`t:${tenantId}:index`, () =>
      inTenant(tenantId, tx, async (t) => {
        let stored = await store.selectIndexKey(t, tenantId);
        if (!stored) {
          await ensureTenantKeys(tenantId, t);
          stored = await store.selectIndexKey(t, tenantId);
        }
        if (!stored) throw unavailable('blind index key missing');
        return {
          version: 1,
          key: deriveKey(await unwrap(stored, indexKeyContext(tenantId)), 'vigil.index.v1', [tenantId]),
        };
      }),
    );

  /** Seals bytes under a given tenant DEK version (used for values and for wrapping subject keys). */
  function sealWithDek(d: { version: number; key: KeyObject }, ctx: FieldContext, plaintext: Buffer): Buffer {
    const header = encodeHeader({ scope: 'tenant', keyVersion: d.version });
    return Buffer.concat([header, sealAesGcm(d.key, plaintext, fieldAad(header, ctx))]);
  }

  async function openWithDek(ctx: FieldContext, value: Buffer, tx?: Tx): Promise<Buffer> {
    const { header, headerBytes, sealed } = decodeEnvelope(value);
    if (header.scope !== 'tenant') throw decryptionFailed();
    const d = await dek(ctx.tenantId, header.keyVersion, tx);
    const plaintext = openAesGcm(d.key, sealed, fieldAad(headerBytes, ctx));
    if (!plaintext) throw decryptionFailed();
    return plaintext;
  }

  /** A subject's key; `create` makes one on first use (writes), otherwise absent means foreign. */
  const subjectKey = (tenantId: string, subjectId: string, create: boolean, tx?: Tx) =>
    cached(`t:${tenantId}:sub:${subjectId}`, () =>
      inTenant(tenantId, tx, async (t) => {
        let stored = await store.selectSubjectKey(t, tenantId, subjectId);
        if (!stored) {
          if (!create) throw decryptionFailed();
          const d = await activeDek(tenantId, t);
          const raw = randomBytes(32);
          await store.insertSubjectKey(
            t,
            tenantId,
            subjectId,
            sealWithDek(d, subjectKeyField(tenantId, subjectId), raw),
            d.version,
          );
          raw.fill(0);
          stored = await store.selectSubjectKey(t, tenantId, subjectId);
        }
        if (!stored?.wrapped) throw erased();
        const raw = await openWithDek(subjectKeyField(tenantId, subjectId), stored.wrapped, t);
        return { version: 1, key: deriveKey(raw, 'vigil.subject.v1', [tenantId, subjectId]) };
      }),
    );

  const platformKey = (version: number | undefined, tx?: Tx) =>
    cached(`p:${version ?? 'active'}`, () =>
      inPlatform(tx, async (t) => {
        let stored = await store.selectPlatformKey(t, version);
        if (!stored && version === undefined) {
          await store.insertFirstPlatformKey(t, provider.id, await wrapNewKey(platformKeyContext(1)));
          stored = await store.selectPlatformKey(t);
        }
        if (!stored) throw decryptionFailed();
        const raw = await unwrap(stored, platformKeyContext(stored.version));
        return {
          version: stored.version,
          key: deriveKey(raw, 'vigil.platform.v1', [String(stored.version)]),
        };
      }),
    );

  return {
    inTenant,
    ensureTenantKeys,
    wrapNewKey,
    dek,
    activeDek,
    indexKey,
    subjectKey,
    platformKey,
    sealWithDek,
    openWithDek,
    /** Drops a tenant's cached keys here (other nodes drop theirs within one TTL). */
    forgetTenant: (tenantId: string) => cache.deletePrefix(`t:${tenantId}:`),
    forgetSubject: (tenantId: string, subjectId: string) => cache.delete(`t:${tenantId}:sub:${subjectId}`),
    clearCache: () => cache.clear(),
  };
}
