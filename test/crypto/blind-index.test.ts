// Blind indexes: equal values find each other after normalization, and one tenant's index key
// yields different indexes from another's, so it cannot be used to find the other's customers.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLIND_INDEX_BYTES, type Keyring, normalizeForIndex } from '../../src/crypto/index.ts';
import { rows } from '../../src/platform/db.ts';
import { createTestDatabase, type TestDatabase, testDbKind } from '../helpers/db.ts';
import { createTenants, expectCode, localKeyring, tempDataDir } from './helpers.ts';

describe(`blind indexes (${testDbKind})`, () => {
  let t: TestDatabase;
  let data: ReturnType<typeof tempDataDir>;
  let keyring: Keyring;
  let a: string;
  let b: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    data = tempDataDir();
    keyring = localKeyring(t.db, data.dir);
    [a, b] = (await createTenants(t.db, 2)) as [string, string];
    await t.db.execScript(`
      create table crypto_test_customers (id uuid primary key, tenant_id uuid not null, email bytea not null, email_bidx bytea not null);
      create index on crypto_test_customers (tenant_id, email_bidx);
      alter table crypto_test_customers enable row level security;
      alter table crypto_test_customers force row level security;
      create policy tenant_isolation on crypto_test_customers using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant());
      grant select, insert on crypto_test_customers to vigil_app;`);
  });
  afterAll(async () => {
    await t.drop();
    data.remove();
  });

  it('normalizes e-mail, phone, IBAN and customer number', () => {
    expect(normalizeForIndex('email', '  Anna.Schmidt@Example.COM ')).toBe('anna.schmidt@example.com');
    expect(normalizeForIndex('phone', '030 1234567', 'DE')).toBe('+49301234567');
    expect(normalizeForIndex('phone', '+49 (30) 123-4567')).toBe('+49301234567');
    expect(normalizeForIndex('phone', '(212) 555-0123', 'US')).toBe('+12125550123');
    expect(normalizeForIndex('iban', 'de89 3704-0044 0532 0130 00')).toBe('DE89370400440532013000');
    expect(normalizeForIndex('customer_number', ' kd-4711 ')).toBe('KD-4711');
    expect(() => normalizeForIndex('phone', 'not a number')).toThrow();
  });

  it('equal values give equal indexes, different values different ones', async () => {
    const i1 = await keyring.blindIndex(a, 'phone', '030 1234567');
    expect(i1).toHaveLength(BLIND_INDEX_BYTES);
    expect(await keyring.blindIndex(a, 'phone', '+49 30 1234567')).toEqual(i1);
    expect(await keyring.blindIndex(a, 'phone', '+49 30 1234568')).not.toEqual(i1);
    // Kinds are separated: the same text as another kind gives another index.
    expect(await keyring.blindIndex(a, 'customer_number', 'x@y.de')).not.toEqual(
      await keyring.blindIndex(a, 'email', 'x@y.de'),
    );
    await expectCode(keyring.blindIndex(a, 'phone', 'call me'), 'invalid_input');
  });

  it('finds a customer by e-mail through the index, and only within the tenant', async () => {
    const insert = (tenantId: string, email: string) =>
      t.db.withTenant(tenantId, async (tx) => {
        const id = randomUUID();
        const enc = await keyring.encryptField(
          { tenantId, table: 'crypto_test_customers', column: 'email', rowId: id },
          email,
          tx,
        );
        const bidx = await keyring.blindIndex(tenantId, 'email', email, tx);
        await tx.execute(sql`insert into crypto_test_customers values (${id}, ${tenantId}, ${enc}, ${bidx})`);
        return id;
      });
    const find = (tenantId: string, bidx: Buffer) =>
      t.db.withTenant(tenantId, (tx) =>
        rows<{ id: string }>(tx, sql`select id from crypto_test_customers where email_bidx = ${bidx}`),
      );

    const anna = await insert(a, 'anna@example.com');
    await insert(a, 'bernd@example.com');
    const annaInB = await insert(b, 'anna@example.com');

    const hits = await find(a, await keyring.blindIndex(a, 'email', ' ANNA@example.com'));
    expect(hits.map((h) => h.id)).toEqual([anna]);
    // Tenant a's index for the same address is not tenant b's index for it.
    const indexA = await keyring.blindIndex(a, 'email', 'anna@example.com');
    const indexB = await keyring.blindIndex(b, 'email', 'anna@example.com');
    expect(indexA.equals(indexB)).toBe(false);
    const [rowB] = await t.db.withTenant(b, (tx) =>
      rows<{ id: string; email_bidx: Uint8Array }>(tx, sql`select id, email_bidx from crypto_test_customers`),
    );
    expect(rowB!.id).toBe(annaInB);
    expect(Buffer.from(rowB!.email_bidx).equals(indexA)).toBe(false);
    expect(Buffer.from(rowB!.email_bidx).equals(indexB)).toBe(true);
  });
});
