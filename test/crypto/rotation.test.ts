// Key rotation: a tenant DEK rotation re-encrypts 10,000 rows through the encrypted-column
// registry, survives an abort mid-way and resumes where it stopped; a KEK rotation re-wraps
// keys only and leaves every ciphertext byte as it was.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeEnvelope,
  type Keyring,
  keyStatus,
  registerEncryptedColumn,
  rotateMasterKey,
  rotateTenantKey,
  unregisterEncryptedColumn,
} from '../../src/crypto/index.ts';
import { rows } from '../../src/platform/db.ts';
import { createTestDatabase, type TestDatabase, testDbKind } from '../helpers/db.ts';
import { createTenants, localKeyring, newSubjectId, tempDataDir } from './helpers.ts';

const ROWS = 10_000;
const TABLE = 'crypto_test_notes';

describe(`key rotation (${testDbKind})`, () => {
  let t: TestDatabase;
  let data: ReturnType<typeof tempDataDir>;
  let keyring: Keyring;
  let a: string;
  let b: string;
  const ctx = (tenantId: string, id: string, subjectId?: string) => ({
    tenantId,
    table: TABLE,
    column: 'body',
    rowId: id,
    ...(subjectId ? { subjectId } : {}),
  });

  async function insertNotes(tenantId: string, notes: { id: string; text: string; subjectId?: string }[]) {
    for (let i = 0; i < notes.length; i += 1000) {
      const chunk = notes.slice(i, i + 1000);
      await t.db.withTenant(tenantId, async (tx) => {
        const values = [];
        for (const n of chunk) {
          const c = await keyring.encryptField(ctx(tenantId, n.id, n.subjectId), n.text, tx);
          values.push({ id: n.id, c: c.toString('hex') });
        }
        await tx.execute(sql`insert into crypto_test_notes (id, tenant_id, body)
          select v.id::uuid, ${tenantId}, decode(v.c, 'hex') from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(id text, c text)`);
      });
    }
  }

  const readAll = (tenantId: string) =>
    t.db.withTenant(tenantId, (tx) =>
      rows<{ id: string; body: Uint8Array }>(
        tx,
        sql`select id::text as id, body from crypto_test_notes order by id`,
      ),
    );

  const expected = new Map<string, string>();

  beforeAll(async () => {
    t = await createTestDatabase();
    data = tempDataDir();
    keyring = localKeyring(t.db, data.dir);
    [a, b] = (await createTenants(t.db, 2)) as [string, string];
    await t.db.execScript(`
      create table ${TABLE} (id uuid primary key, tenant_id uuid not null references tenants (id), body bytea);
      alter table ${TABLE} enable row level security;
      alter table ${TABLE} force row level security;
      create policy tenant_isolation on ${TABLE} using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant());
      grant select, insert, update on ${TABLE} to vigil_app;`);
    registerEncryptedColumn({ table: TABLE, column: 'body' });
    const notes = Array.from({ length: ROWS }, (_, i) => ({
      id: randomUUID(),
      text: `note ${i} for tenant a`,
    }));
    const subjectNotes = Array.from({ length: 5 }, (_, i) => ({
      id: randomUUID(),
      text: `subject note ${i}`,
      subjectId: newSubjectId(),
    }));
    for (const n of [...notes, ...subjectNotes]) expected.set(n.id, n.text);
    await insertNotes(a, [...notes, ...subjectNotes]);
    await insertNotes(b, [{ id: randomUUID(), text: 'tenant b note' }]);
  }, 300_000);
  afterAll(async () => {
    unregisterEncryptedColumn({ table: TABLE, column: 'body' });
    await t.drop();
    data.remove();
  });

  it('rotates a tenant DEK over 10,000 rows, resumes after an abort, and every row still reads', async () => {
    const controller = new AbortController();
    let batches = 0;
    const aborted = await rotateTenantKey({
      keyring,
      tenantId: a,
      batchSize: 1000,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.rowsScanned > 0 && ++batches === 3) controller.abort(new Error('killed'));
      },
    }).catch((e: unknown) => e);
    expect((aborted as Error).message).toBe('killed');

    const [job] = await t.db.withTenant(a, (tx) =>
      rows<{ state: string; rows_reencrypted: string | number; cursor: string | null }>(
        tx,
        sql`select state, rows_reencrypted, cursor from key_rotation_jobs where tenant_id = ${a}`,
      ),
    );
    expect(job!.state).toBe('running');
    expect(Number(job!.rows_reencrypted)).toBeGreaterThan(0);
    expect(Number(job!.rows_reencrypted)).toBeLessThan(ROWS);
    expect(job!.cursor).not.toBeNull();

    // Between abort and resume, new writes already use the new version.
    const lateId = randomUUID();
    await insertNotes(a, [{ id: lateId, text: 'written mid-rotation' }]);
    expected.set(lateId, 'written mid-rotation');
    const late = (await readAll(a)).find((r) => r.id === lateId)!;
    expect(decodeEnvelope(Buffer.from(late.body)).header.keyVersion).toBe(2);

    const done = await rotateTenantKey({ keyring, tenantId: a, batchSize: 1000 });
    expect(done).toMatchObject({
      resumed: true,
      state: 'completed',
      targetVersion: 2,
      rowsReencrypted: ROWS,
      subjectsRewrapped: 5,
    });
    expect(done.rowsScanned).toBeLessThan(ROWS + 6 + 1000); // resumed from the cursor, not from the start

    // A keyring with a cold cache reads every row, and every tenant-scoped value names version 2.
    const cold = localKeyring(t.db, data.dir);
    const all = await readAll(a);
    expect(all).toHaveLength(ROWS + 6);
    await t.db.withTenant(a, async (tx) => {
      for (const r of all) {
        const body = Buffer.from(r.body);
        const h = decodeEnvelope(body).header;
        if (h.scope === 'tenant') expect(h.keyVersion).toBe(2);
        expect(await cold.decryptFieldText(ctx(a, r.id), body, tx)).toBe(expected.get(r.id));
      }
    });
    const subjectVersions = await t.db.withTenant(a, (tx) =>
      rows<{ dek_version: number }>(
        tx,
        sql`select distinct dek_version from subject_keys where tenant_id = ${a}`,
      ),
    );
    expect(subjectVersions).toEqual([{ dek_version: 2 }]);

    // The other tenant was not touched.
    const [other] = await readAll(b);
    expect(decodeEnvelope(Buffer.from(other!.body)).header.keyVersion).toBe(1);
    expect(await cold.decryptFieldText(ctx(b, other!.id), Buffer.from(other!.body))).toBe('tenant b note');

    const status = await keyStatus({ db: t.db, provider: keyring.provider, tenantId: a });
    expect(status.tenants[0]).toMatchObject({
      activeVersion: 2,
      versions: [
        { version: 1, state: 'retired' },
        { version: 2, state: 'active' },
      ],
      rotation: { state: 'completed', rowsReencrypted: ROWS },
    });
  }, 300_000);

  it('rotates the KEK by re-wrapping keys only: no ciphertext changes, everything still opens', async () => {
    const secret = await keyring.sealPlatformSecret('totp', 'user-1', Buffer.from('otp-seed'));
    const snapshot = async () => ({
      data: (await readAll(a)).map((r) => Buffer.from(r.body).toString('hex')),
      subjects: await t.db.withTenant(a, (tx) =>
        rows<{ w: string }>(
          tx,
          sql`select encode(wrapped_key, 'hex') as w from subject_keys order by subject_id`,
        ),
      ),
      deks: await t.db.withTenant(a, (tx) =>
        rows<{ w: string; kek_version: number }>(
          tx,
          sql`select encode(wrapped_key, 'hex') as w, kek_version from tenant_keys order by version`,
        ),
      ),
    });
    const before = await snapshot();
    const result = await rotateMasterKey({ db: t.db, provider: keyring.provider });
    expect(result.kekVersion).toBe(2);
    // 2 DEKs + index key for a, 1 DEK + index key for b, 1 platform key.
    expect(result.rewrapped).toBe(6);
    const after = await snapshot();
    expect(after.data).toEqual(before.data);
    expect(after.subjects).toEqual(before.subjects);
    expect(after.deks.map((d) => d.kek_version)).toEqual([2, 2]);
    expect(after.deks[0]!.w).not.toBe(before.deks[0]!.w);

    const cold = localKeyring(t.db, data.dir);
    const [first] = await readAll(a);
    expect(await cold.decryptFieldText(ctx(a, first!.id), Buffer.from(first!.body))).toBe(
      expected.get(first!.id),
    );
    expect((await cold.openPlatformSecret('totp', 'user-1', secret)).toString()).toBe('otp-seed');
    expect(
      (await rotateMasterKey({ db: t.db, provider: cold.provider, rotateProvider: false })).rewrapped,
    ).toBe(0);
  });
});
