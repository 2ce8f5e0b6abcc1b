// Envelope encryption: values round-trip, and a ciphertext moved anywhere else (another row,
// column, table or tenant), or edited, fails with a typed error instead of yielding plaintext.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Keyring } from '../../src/crypto/index.ts';
import { cryptoMetrics } from '../../src/crypto/index.ts';
import { createTestDatabase, type TestDatabase, testDbKind } from '../helpers/db.ts';
import { createTenants, expectCode, localKeyring, newSubjectId, tempDataDir } from './helpers.ts';

describe(`envelope encryption (${testDbKind})`, () => {
  let t: TestDatabase;
  let data: ReturnType<typeof tempDataDir>;
  let keyring: Keyring;
  let a: string;
  let b: string;
  const at = (tenantId: string, rowId: string, extra: { column?: string; subjectId?: string } = {}) => ({
    tenantId,
    table: 'contacts',
    column: extra.column ?? 'email',
    rowId,
    ...(extra.subjectId ? { subjectId: extra.subjectId } : {}),
  });

  beforeAll(async () => {
    t = await createTestDatabase();
    data = tempDataDir();
    keyring = localKeyring(t.db, data.dir);
    [a, b] = (await createTenants(t.db, 2)) as [string, string];
  });
  afterAll(async () => {
    await t.drop();
    data.remove();
  });

  it('round-trips text and bytes, with a fresh nonce every time', async () => {
    const c1 = await keyring.encryptField(at(a, 'r1'), 'anna@example.com');
    const c2 = await keyring.encryptField(at(a, 'r1'), 'anna@example.com');
    expect(c1.equals(c2)).toBe(false);
    expect(c1.includes(Buffer.from('anna'))).toBe(false);
    expect(await keyring.decryptFieldText(at(a, 'r1'), c1)).toBe('anna@example.com');
    const bytes = Buffer.from([0, 1, 2, 255]);
    expect(await keyring.decryptField(at(a, 'r2'), await keyring.encryptField(at(a, 'r2'), bytes))).toEqual(
      bytes,
    );
  });

  it('names the key in a versioned header', async () => {
    const c = await keyring.encryptField(at(a, 'r1'), 'x');
    expect([...c.subarray(0, 3)]).toEqual([0x56, 0x01, 0x01]);
    expect(c.readUInt32BE(3)).toBe(1);
    const s = newSubjectId();
    const cs = await keyring.encryptField(at(a, 'r1', { subjectId: s }), 'x');
    expect(cs[2]).toBe(0x02);
    expect(cs.subarray(7, 23).toString('hex')).toBe(s.replace(/-/g, ''));
  });

  it('fails with decryption_failed when two rows swap ciphertexts', async () => {
    const c1 = await keyring.encryptField(at(a, 'row-1'), 'one');
    const c2 = await keyring.encryptField(at(a, 'row-2'), 'two');
    await expectCode(keyring.decryptField(at(a, 'row-1'), c2), 'decryption_failed');
    await expectCode(keyring.decryptField(at(a, 'row-2'), c1), 'decryption_failed');
    await expectCode(keyring.decryptField(at(a, 'row-1', { column: 'phone' }), c1), 'decryption_failed');
    await expectCode(keyring.decryptField({ ...at(a, 'row-1'), table: 'tickets' }, c1), 'decryption_failed');
  });

  it('fails with decryption_failed when a ciphertext is moved to another tenant', async () => {
    const before = cryptoMetrics.decryptFailures;
    const ca = await keyring.encryptField(at(a, 'same-row'), 'tenant a secret');
    const cb = await keyring.encryptField(at(b, 'same-row'), 'tenant b secret');
    await expectCode(keyring.decryptField(at(b, 'same-row'), ca), 'decryption_failed');
    await expectCode(keyring.decryptField(at(a, 'same-row'), cb), 'decryption_failed');
    expect(cryptoMetrics.decryptFailures).toBe(before + 2);
  });

  it('subject-scoped values are bound to the row and subject as well', async () => {
    const s1 = newSubjectId();
    const s2 = newSubjectId();
    const c1 = await keyring.encryptField(at(a, 'r', { subjectId: s1 }), 'subject one');
    const c2 = await keyring.encryptField(at(a, 'r2', { subjectId: s2 }), 'subject two');
    expect(await keyring.decryptFieldText(at(a, 'r', { subjectId: s1 }), c1)).toBe('subject one');
    // The header names the subject, so a reader need not know it.
    expect(await keyring.decryptFieldText(at(a, 'r'), c1)).toBe('subject one');
    await expectCode(keyring.decryptField(at(a, 'r', { subjectId: s2 }), c1), 'decryption_failed');
    await expectCode(keyring.decryptField(at(a, 'r'), c2), 'decryption_failed');
    await expectCode(keyring.decryptField(at(b, 'r'), c1), 'decryption_failed');
  });

  it('detects any edited byte, header included, and malformed input', async () => {
    const c = await keyring.encryptField(at(a, 'r'), 'tamper me');
    for (const i of [2, 3, 6, 7, 20, c.length - 1]) {
      const bad = Buffer.from(c);
      bad[i] = (bad[i] ?? 0) ^ 0x01;
      await expectCode(keyring.decryptField(at(a, 'r'), bad), 'decryption_failed');
    }
    await expectCode(keyring.decryptField(at(a, 'r'), Buffer.from('plain text')), 'decryption_failed');
    await expectCode(keyring.decryptField(at(a, 'r'), c.subarray(0, 20)), 'decryption_failed');
  });

  it('works inside the caller transaction and serves repeat reads from the cache', async () => {
    const fresh = localKeyring(t.db, data.dir);
    const c = await t.db.withTenant(a, (tx) => fresh.encryptField(at(a, 'tx-row'), 'inside', tx));
    const misses = cryptoMetrics.keyCacheMisses;
    const hits = cryptoMetrics.keyCacheHits;
    for (let i = 0; i < 5; i++) expect(await fresh.decryptFieldText(at(a, 'tx-row'), c)).toBe('inside');
    expect(cryptoMetrics.keyCacheMisses - misses).toBeLessThanOrEqual(1);
    expect(cryptoMetrics.keyCacheHits - hits).toBeGreaterThanOrEqual(4);
  });

  it('seals platform secrets bound to purpose and record id', async () => {
    const sealed = await keyring.sealPlatformSecret('totp', 'user-1', Buffer.from('JBSWY3DPEHPK3PXP'));
    expect((await keyring.openPlatformSecret('totp', 'user-1', sealed)).toString()).toBe('JBSWY3DPEHPK3PXP');
    await expectCode(keyring.openPlatformSecret('totp', 'user-2', sealed), 'decryption_failed');
    await expectCode(keyring.openPlatformSecret('webhook', 'user-1', sealed), 'decryption_failed');
    // A tenant value is not a platform secret and vice versa.
    await expectCode(keyring.decryptField(at(a, 'user-1'), sealed), 'decryption_failed');
  });
});
