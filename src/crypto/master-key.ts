// KEK rotation and key status, for `vigil keys rotate-master` and `vigil keys status`. Rotating
// the KEK re-wraps the tenant DEKs, index keys and platform keys; subject keys (wrapped by the
// DEKs) and all encrypted data stay untouched. Walks tenants one transaction each, so RLS holds.
import { sql } from 'drizzle-orm';
import { type Database, rows } from '../platform/db.ts';
import { dekContext, indexKeyContext, platformKeyContext } from './key-resolver.ts';
import * as store from './key-store.ts';
import type { KeyProvider } from './provider.ts';

export interface RotateMasterKeyOptions {
  db: Database;
  provider: KeyProvider;
  /** false: only re-wrap keys still under older KEK versions (finish an interrupted rotation). */
  rotateProvider?: boolean;
}

export interface RotateMasterKeyResult {
  kekVersion: number;
  tenants: number;
  rewrapped: number;
  /** Keys wrapped by another provider (e.g. during a provider migration), left as they are. */
  skippedForeign: number;
}

const listTenantIds = (db: Database) =>
  db.withPlatform((tx) =>
    rows<{ id: string; slug: string }>(tx, sql`select id, slug from tenants order by slug`),
  );

export async function rotateMasterKey(opts: RotateMasterKeyOptions): Promise<RotateMasterKeyResult> {
  const { db, provider } = opts;
  const kekVersion =
    opts.rotateProvider === false ? await provider.currentVersion() : await provider.rotate();
  const result: RotateMasterKeyResult = { kekVersion, tenants: 0, rewrapped: 0, skippedForeign: 0 };
  const needsRewrap = (k: store.StoredKekWrapped) => {
    if (!k.wrapped) return false;
    if (k.kekId !== provider.id) {
      result.skippedForeign++;
      return false;
    }
    return k.wrapped.kekVersion !== kekVersion;
  };
  for (const tenant of await listTenantIds(db)) {
    result.tenants++;
    await db.withTenant(tenant.id, async (tx) => {
      for (const k of await store.selectTenantKeys(tx, tenant.id)) {
        if (!needsRewrap(k) || !k.wrapped) continue;
        const w = await provider.rewrapKey(k.wrapped, dekContext(tenant.id, k.version));
        await store.updateTenantKeyWrapping(tx, tenant.id, k.version, provider.id, w);
        result.rewrapped++;
      }
      const index = await store.selectIndexKey(tx, tenant.id);
      if (index?.wrapped && needsRewrap(index)) {
        await store.updateIndexKeyWrapping(
          tx,
          tenant.id,
          provider.id,
          await provider.rewrapKey(index.wrapped, indexKeyContext(tenant.id)),
        );
        result.rewrapped++;
      }
    });
  }
  await db.withPlatform(async (tx) => {
    for (const k of await store.selectPlatformKeys(tx)) {
      if (!needsRewrap(k) || !k.wrapped) continue;
      await store.updatePlatformKeyWrapping(
        tx,
        k.version,
        provider.id,
        await provider.rewrapKey(k.wrapped, platformKeyContext(k.version)),
      );
      result.rewrapped++;
    }
  });
  return result;
}

export interface TenantKeyStatus {
  tenantId: string;
  slug: string;
  activeVersion: number | null;
  versions: { version: number; state: string; kekId: string; kekVersion: number | null }[];
  indexKey: 'active' | 'destroyed' | 'missing';
  /** Internal to keyStatus's count; not printed. */
  indexKeyWrap?: { kekId: string; kekVersion: number };
  subjects: { live: number; destroyed: number };
  rotation: { jobId: string; targetVersion: number; state: string; rowsReencrypted: number } | null;
}

export interface KeyStatus {
  provider: string;
  /** The master key version new wraps use. */
  kekVersion: number;
  /**
   * How many live keys (tenant DEKs, index keys, platform keys) each master key version wraps
   * today; `notOnCurrent` > 0 means rotate-master has keys left to re-wrap.
   */
  wrapping: { byKekVersion: Record<string, number>; notOnCurrent: number; otherProvider: number };
  platformKeyVersions: number[];
  tenants: TenantKeyStatus[];
}

/** Metadata only: versions, states and counts, never key material. */
export async function keyStatus(opts: {
  db: Database;
  provider: KeyProvider;
  tenantId?: string;
}): Promise<KeyStatus> {
  const { db, provider } = opts;
  const tenants = (await listTenantIds(db)).filter((t) => !opts.tenantId || t.id === opts.tenantId);
  const out: TenantKeyStatus[] = [];
  for (const t of tenants) {
    out.push(
      await db.withTenant(t.id, async (tx) => {
        const versions = await store.selectTenantKeys(tx, t.id);
        const index = await store.selectIndexKey(tx, t.id);
        const [subjects] = await rows<{ live: number; destroyed: number }>(
          tx,
          sql`select count(*) filter (where wrapped_key is not null)::int as live, count(*) filter (where wrapped_key is null)::int as destroyed
            from subject_keys where tenant_id = ${t.id}`,
        );
        const [job] = await rows<{
          id: string;
          target_version: number;
          state: string;
          rows_reencrypted: string | number;
        }>(
          tx,
          sql`select id, target_version, state, rows_reencrypted from key_rotation_jobs where tenant_id = ${t.id} order by created_at desc limit 1`,
        );
        return {
          tenantId: t.id,
          slug: t.slug,
          activeVersion: versions.find((v) => v.state === 'active')?.version ?? null,
          versions: versions.map((v) => ({
            version: v.version,
            state: v.state,
            kekId: v.kekId,
            kekVersion: v.wrapped?.kekVersion ?? null,
          })),
          indexKey: !index ? 'missing' : index.wrapped ? 'active' : 'destroyed',
          ...(index?.wrapped
            ? { indexKeyWrap: { kekId: index.kekId, kekVersion: index.wrapped.kekVersion } }
            : {}),
          subjects: { live: subjects?.live ?? 0, destroyed: subjects?.destroyed ?? 0 },
          rotation: job
            ? {
                jobId: job.id,
                targetVersion: job.target_version,
                state: job.state,
                rowsReencrypted: Number(job.rows_reencrypted),
              }
            : null,
        };
      }),
    );
  }
  const platform = await db.withPlatform((tx) => store.selectPlatformKeys(tx));
  const kekVersion = await provider.currentVersion();
  const wrapping: KeyStatus['wrapping'] = { byKekVersion: {}, notOnCurrent: 0, otherProvider: 0 };
  const count = (kekId: string, v: number | null | undefined) => {
    if (v === null || v === undefined) return;
    if (kekId !== provider.id) return void wrapping.otherProvider++;
    wrapping.byKekVersion[v] = (wrapping.byKekVersion[v] ?? 0) + 1;
    if (v !== kekVersion) wrapping.notOnCurrent++;
  };
  for (const t of out) {
    for (const v of t.versions) count(v.kekId, v.kekVersion);
    if (t.indexKeyWrap) count(t.indexKeyWrap.kekId, t.indexKeyWrap.kekVersion);
    delete t.indexKeyWrap;
  }
  for (const p of platform) count(p.kekId, p.wrapped?.kekVersion);
  return {
    provider: provider.id,
    kekVersion,
    wrapping,
    platformKeyVersions: platform.map((p) => p.version),
    tenants: out,
  };
}
