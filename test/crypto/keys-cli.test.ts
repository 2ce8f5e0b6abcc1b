// `vigil keys` as an operator runs it with VIGIL_MASTER_KEY (the multi-node setup): a new master
// key version is rolled out in the variable, rotate-master re-wraps every key under it, status
// says which version wraps how many keys, and the old version can then be dropped.
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.ts';
import { rows } from '../../src/platform/db.ts';
import { withRuntimeDb } from '../../src/runtime.ts';
import { cliInstances, vigil } from '../helpers/cli.ts';
import { testDbKind } from '../helpers/db.ts';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const cli = cliInstances('keys-cli');

interface Status {
  kekVersion: number;
  wrapping: { byKekVersion: Record<string, number>; notOnCurrent: number };
}

async function status(env: Record<string, string>): Promise<Status> {
  const r = await vigil(env, 'keys', 'status');
  expect(r.code, r.out).toBe(0);
  return JSON.parse(r.stdout) as Status;
}

/** Three customers of the tenant with a name under their own subject key. */
async function addCustomers(env: Record<string, string>, slug: string): Promise<string[]> {
  return withRuntimeDb(loadConfig(env), async (core) => {
    const [t] = await core.db.withPlatform((tx) =>
      rows<{ id: string }>(tx, sql`select id from tenants where slug = ${slug}`),
    );
    const tenantId = t!.id;
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) {
      const enc = await core.keyring.encryptField(
        { tenantId, table: 'customers', column: 'name_enc', rowId: id, subjectId: id },
        `Name ${id}`,
      );
      await core.db.withTenant(tenantId, (tx) =>
        tx.execute(sql`insert into customers (id, tenant_id, name_enc) values (${id}, ${tenantId}, ${enc})`),
      );
    }
    return [tenantId, ...ids];
  });
}

describe(`vigil keys with VIGIL_MASTER_KEY (${testDbKind})`, () => {
  afterAll(() => cli.cleanup());

  it('rotate-master re-wraps every key under the new version; status tells which version wraps what', async () => {
    const env = await cli.instance(k1);
    for (const slug of ['keys-a', 'keys-b'])
      expect((await vigil(env, 'tenant', 'create', '--slug', slug, '--name', slug)).code).toBe(0);
    const [tenantId, ...customers] = await addCustomers(env, 'keys-a');
    const before = await status(env);
    const keys = before.wrapping.byKekVersion['1'] ?? 0;
    expect(keys).toBeGreaterThanOrEqual(4); // a DEK and an index key per tenant
    expect(before).toMatchObject({ kekVersion: 1, wrapping: { byKekVersion: { 1: keys }, notOnCurrent: 0 } });

    // One version only: nothing to rotate to, and the message says what to do.
    const single = await vigil(env, 'keys', 'rotate-master');
    expect(single.code).toBe(1);
    expect(single.out).toMatch(/VIGIL_MASTER_KEY holds one version: set it to "1:<old>,2:<new>"/);

    // Roll the new version out first (still wrapping under 1), then make it current.
    const staged = { ...env, VIGIL_MASTER_KEY: `1:${k1},2:${k2}`, VIGIL_MASTER_KEY_CURRENT: '1' };
    expect(await status(staged)).toMatchObject({ kekVersion: 1, wrapping: { notOnCurrent: 0 } });
    const both = { ...env, VIGIL_MASTER_KEY: `1:${k1},2:${k2}` };
    expect(await status(both)).toMatchObject({
      kekVersion: 2,
      wrapping: { byKekVersion: { 1: keys }, notOnCurrent: keys },
    });
    const rotated = await vigil(both, 'keys', 'rotate-master');
    expect(rotated.code, rotated.out).toBe(0);
    expect(JSON.parse(rotated.stdout)).toMatchObject({ kekVersion: 2, tenants: 2, rewrapped: keys });
    expect(await status(both)).toEqual(
      expect.objectContaining({
        kekVersion: 2,
        wrapping: expect.objectContaining({ byKekVersion: { 2: keys } }),
      }),
    );

    // The old version gone, every key still opens: a tenant key rotation re-wraps the subject keys.
    const onlyNew = { ...env, VIGIL_MASTER_KEY: `2:${k2}` };
    expect(await status(onlyNew)).toMatchObject({ wrapping: { notOnCurrent: 0 } });
    const tenantRotation = await vigil(onlyNew, 'keys', 'rotate', '--tenant', 'keys-a');
    expect(tenantRotation.code, tenantRotation.out).toBe(0);
    expect(tenantRotation.stdout).toMatch(/rotated to version 2: 3 subject keys re-wrapped, 0 of \d+ values/);
    const name = await withRuntimeDb(loadConfig(onlyNew), async (core) => {
      const id = customers[0]!;
      const [r] = await core.db.withTenant(tenantId!, (tx) =>
        rows<{ name_enc: Uint8Array }>(tx, sql`select name_enc from customers where id = ${id}`),
      );
      const enc = Buffer.from(r!.name_enc);
      return core.keyring.decryptFieldText(
        { tenantId: tenantId!, table: 'customers', column: 'name_enc', rowId: id, subjectId: id },
        enc,
      );
    });
    expect(name).toBe(`Name ${customers[0]}`);
  }, 600_000);
});
