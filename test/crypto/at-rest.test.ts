// What a stolen backup shows: rows written through the keyring leave no marker string in the
// database files (PGlite data-dir dump) or in a pg_dump, while a plaintext control row does.
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Keyring } from '../../src/crypto/index.ts';
import { createTestDatabase, type TestDatabase, testDbKind } from '../helpers/db.ts';
import { backupBytes, takeBackup } from './backup.ts';
import { createTenants, localKeyring, newSubjectId, tempDataDir } from './helpers.ts';

describe(`no plaintext at rest (${testDbKind})`, () => {
  let t: TestDatabase;
  let data: ReturnType<typeof tempDataDir>;
  let keyring: Keyring;
  let tenant: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    data = tempDataDir();
    keyring = localKeyring(t.db, data.dir);
    [tenant] = (await createTenants(t.db, 1)) as [string];
    await t.db.execScript(`
      create table crypto_test_contacts (id uuid primary key, tenant_id uuid not null, email bytea, note text);
      grant select, insert on crypto_test_contacts to vigil_app;`);
  });
  afterAll(async () => {
    await t.drop();
    data.remove();
  });

  it('finds no encrypted marker in the dump, but finds the plaintext control', async () => {
    const markers = Array.from({ length: 20 }, () => `MARKER-${randomBytes(8).toString('hex')}`);
    const control = `CONTROL-${randomBytes(8).toString('hex')}`;
    await t.db.withTenant(tenant, async (tx) => {
      for (const [i, marker] of markers.entries()) {
        const id = randomUUID();
        const c = { tenantId: tenant, table: 'crypto_test_contacts', column: 'email', rowId: id };
        const email = await keyring.encryptField(
          i % 2 ? { ...c, subjectId: newSubjectId() } : c,
          `${marker}@example.com`,
          tx,
        );
        await tx.execute(
          sql`insert into crypto_test_contacts (id, tenant_id, email, note) values (${id}, ${tenant}, ${email}, ${i === 0 ? control : null})`,
        );
      }
    });
    const dump = await backupBytes(await takeBackup(t));
    const found = (s: string) =>
      dump.includes(Buffer.from(s)) || dump.includes(Buffer.from(Buffer.from(s).toString('hex')));
    expect(found(control)).toBe(true);
    for (const m of markers) expect(found(m)).toBe(false);
  });
});
