// Shared set-up for the crypto tests: a migrated test database, tenants, and a keyring over a
// throw-away data directory with the default (local) key provider.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { createKeyring, createLocalKeyProvider, type Keyring } from '../../src/crypto/index.ts';
import { type Database, rows } from '../../src/platform/db.ts';
import { isVigilError } from '../../src/platform/errors.ts';

export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-crypto-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function createTenants(db: Database, count: number): Promise<string[]> {
  const slugs = Array.from({ length: count }, () => `t-${randomBytes(5).toString('hex')}`);
  return db.withOwner(async (tx) => {
    const ids: string[] = [];
    for (const slug of slugs) {
      const [r] = await rows<{ id: string }>(
        tx,
        sql`insert into tenants (slug, name) values (${slug}, ${slug}) returning id`,
      );
      ids.push(r!.id);
    }
    return ids;
  });
}

export function localKeyring(db: Database, dataDir: string, extra: { cacheTtlMs?: number } = {}): Keyring {
  return createKeyring({ db, provider: createLocalKeyProvider({ dataDir }), dataDir, ...extra });
}

/** Awaits a rejection and checks it is a VigilError with the given stable code. */
export async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(isVigilError(e) ? e.code : e).toBe(code);
}

export const newSubjectId = () => randomUUID();
