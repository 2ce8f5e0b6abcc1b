// Crypto-shredding: destroying a subject key (or a whole tenant's keys) makes the data
// unreadable with a typed 'data_erased', and the signed erasure ledger re-destroys the keys
// in a database restored from a backup taken before the shred.
import { readFileSync, writeFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  erasureLedgerPath,
  type Keyring,
  readErasureLedger,
  replayErasureLedger,
} from '../../src/crypto/index.ts';
import { pgErrorOf, rows } from '../../src/platform/db.ts';
import { createTestDatabase, type TestDatabase, testDbKind } from '../helpers/db.ts';
import { type Backup, restoreBackup, takeBackup } from './backup.ts';
import { createTenants, expectCode, localKeyring, newSubjectId, tempDataDir } from './helpers.ts';

describe(`crypto-shredding (${testDbKind})`, () => {
  let t: TestDatabase;
  let data: ReturnType<typeof tempDataDir>;
  let keyring: Keyring;
  let a: string;
  let b: string;
  const subject = newSubjectId();
  const otherSubject = newSubjectId();
  const at = (tenantId: string, rowId: string, subjectId?: string) => ({
    tenantId,
    table: 'contacts',
    column: 'email',
    rowId,
    ...(subjectId ? { subjectId } : {}),
  });
  const values: Record<string, Buffer> = {};
  let backup: Backup;

  beforeAll(async () => {
    t = await createTestDatabase();
    data = tempDataDir();
    keyring = localKeyring(t.db, data.dir);
    [a, b] = (await createTenants(t.db, 2)) as [string, string];
    values.subject = await keyring.encryptField(at(a, 'r1', subject), 'erase.me@example.com');
    values.other = await keyring.encryptField(at(a, 'r2', otherSubject), 'keep.me@example.com');
    values.tenantScoped = await keyring.encryptField(at(a, 'r3'), 'tenant scoped');
    values.tenantB = await keyring.encryptField(at(b, 'r1', newSubjectId()), 'tenant b subject');
    values.tenantBScoped = await keyring.encryptField(at(b, 'r2'), 'tenant b scoped');
    backup = await takeBackup(t);
  });
  afterAll(async () => {
    await t.drop();
    data.remove();
  });

  it('a shredded subject reads as data_erased; other subjects are unaffected', async () => {
    const r = await keyring.shredSubject(a, subject);
    expect(r.destroyed).toBe(true);
    await expectCode(keyring.decryptField(at(a, 'r1'), values.subject!), 'data_erased');
    // Not just this process's cache: a fresh keyring sees the destroyed key too.
    const cold = localKeyring(t.db, data.dir);
    await expectCode(cold.decryptField(at(a, 'r1'), values.subject!), 'data_erased');
    await expectCode(
      cold.encryptField(at(a, 'r9', subject), 'new data for an erased subject'),
      'data_erased',
    );
    expect(await cold.decryptFieldText(at(a, 'r2'), values.other!)).toBe('keep.me@example.com');
    expect(await cold.decryptFieldText(at(a, 'r3'), values.tenantScoped!)).toBe('tenant scoped');
    // Shredding again is harmless.
    expect((await keyring.shredSubject(a, subject)).destroyed).toBe(false);
  });

  it('a shredded tenant reads as data_erased everywhere, blind indexes included', async () => {
    await keyring.blindIndex(b, 'email', 'x@example.com');
    await keyring.shredTenant(b);
    const cold = localKeyring(t.db, data.dir);
    await expectCode(cold.decryptField(at(b, 'r1'), values.tenantB!), 'data_erased');
    await expectCode(cold.decryptField(at(b, 'r2'), values.tenantBScoped!), 'data_erased');
    await expectCode(cold.encryptField(at(b, 'r3'), 'new'), 'data_erased');
    await expectCode(cold.blindIndex(b, 'email', 'x@example.com'), 'data_erased');
    expect(await cold.decryptFieldText(at(a, 'r3'), values.tenantScoped!)).toBe('tenant scoped');
  });

  it('the database refuses to put key material back into a destroyed key, and hides other tenants keys', async () => {
    const e = await t.db
      .withTenant(a, (tx) =>
        tx.execute(sql`update subject_keys set wrapped_key = '\\x00' where subject_id = ${subject}`),
      )
      .catch((x: unknown) => x);
    expect(pgErrorOf(e).message).toMatch(/destroyed key cannot be restored/);
    const seen = await t.db.withTenant(a, (tx) =>
      rows<{ tenant_id: string }>(
        tx,
        sql`select tenant_id from tenant_keys union all select tenant_id from subject_keys`,
      ),
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => r.tenant_id === a)).toBe(true);
  });

  it('writes a hash-chained, signed ledger outside the database', () => {
    const entries = readErasureLedger(data.dir);
    expect(entries.map((e) => [e.seq, e.kind, e.tenantId])).toEqual([
      [1, 'subject', a],
      [2, 'subject', a],
      [3, 'tenant', b],
    ]);
    expect(entries[0]!.subjectId).toBe(subject);
    expect(entries[2]!.keyIds).toContain(`tenant-dek:${b}:v1`);
    expect(entries[1]!.prevHash).toBe(entries[0]!.hash);
    expect(entries[0]!.sig).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('a backup taken before the shred, restored and replayed, still cannot decrypt', async () => {
    const restored = await restoreBackup(backup);
    try {
      const onRestored = localKeyring(restored.db, data.dir);
      // The backup really holds the old keys: without the replay the subject would come back.
      expect(await onRestored.decryptFieldText(at(a, 'r1'), values.subject!)).toBe('erase.me@example.com');
      onRestored.clearCache();
      const result = await replayErasureLedger(restored.db, { dataDir: data.dir });
      expect(result.entries).toBe(3);
      expect(result.keysDestroyed).toBeGreaterThanOrEqual(4); // subject + b's DEK, index key, subject key
      await expectCode(onRestored.decryptField(at(a, 'r1'), values.subject!), 'data_erased');
      await expectCode(onRestored.decryptField(at(b, 'r2'), values.tenantBScoped!), 'data_erased');
      expect(await onRestored.decryptFieldText(at(a, 'r2'), values.other!)).toBe('keep.me@example.com');
      // Replaying twice changes nothing.
      expect((await replayErasureLedger(restored.db, { dataDir: data.dir })).keysDestroyed).toBe(0);
    } finally {
      await restored.drop();
    }
  });

  it('refuses to replay a ledger that was edited', async () => {
    const path = erasureLedgerPath(data.dir);
    const original = readFileSync(path, 'utf8');
    try {
      writeFileSync(path, original.replace(subject, newSubjectId()));
      expect(() => readErasureLedger(data.dir)).toThrow(/failed verification/);
      await expectCode(replayErasureLedger(t.db, { dataDir: data.dir }), 'internal');
      writeFileSync(path, original.split('\n').slice(1).join('\n'));
      expect(() => readErasureLedger(data.dir)).toThrow(/failed verification/);
    } finally {
      writeFileSync(path, original);
    }
    expect(readErasureLedger(data.dir)).toHaveLength(3);
  });
});
