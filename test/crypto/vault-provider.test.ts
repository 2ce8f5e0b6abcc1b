// The Vault Transit KEK provider against a recorded fake of Vault's HTTP API: wrap, unwrap,
// rotate and rewrap, the keyring on top of it, and clear errors when Vault is unreachable or
// refuses the token.
import { createServer } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKeyring,
  createVaultTransitProvider,
  type Keyring,
  rotateMasterKey,
} from '../../src/crypto/index.ts';
import { rows } from '../../src/platform/db.ts';
import { createTestDatabase, type TestDatabase, testDbKind } from '../helpers/db.ts';
import { createTenants, expectCode, tempDataDir } from './helpers.ts';
import { type FakeVault, startFakeVault } from './vault-fake.ts';

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

describe(`vault transit provider (${testDbKind})`, () => {
  let vault: FakeVault;
  let t: TestDatabase;
  let data: ReturnType<typeof tempDataDir>;
  let keyring: Keyring;
  let tenant: string;

  beforeAll(async () => {
    vault = await startFakeVault();
    t = await createTestDatabase();
    data = tempDataDir();
    keyring = createKeyring({
      db: t.db,
      provider: createVaultTransitProvider({ address: vault.address, token: vault.token, keyName: 'vigil' }),
      dataDir: data.dir,
    });
    [tenant] = (await createTenants(t.db, 1)) as [string];
  });
  afterAll(async () => {
    await vault.close();
    await t.drop();
    data.remove();
  });

  it('wraps, unwraps and rewraps through the documented endpoints', async () => {
    const p = createVaultTransitProvider({ address: vault.address, token: vault.token, keyName: 'direct' });
    const key = Buffer.alloc(32, 7);
    const w = await p.wrapKey(key, 'ctx');
    expect(w.wrapped.toString()).toMatch(/^vault:v1:/);
    expect(w.kekVersion).toBe(1);
    expect(await p.unwrapKey(w, 'ctx')).toEqual(key);
    expect(await p.rotate()).toBe(2);
    expect(await p.currentVersion()).toBe(2);
    const r = await p.rewrapKey(w, 'ctx');
    expect(r.wrapped.toString()).toMatch(/^vault:v2:/);
    expect(await p.unwrapKey(r, 'ctx')).toEqual(key);
    const calls = vault.requests.filter((q) => q.path.includes('/direct'));
    expect(calls.map((q) => `${q.method} ${q.path}`)).toEqual([
      'POST /v1/transit/encrypt/direct',
      'POST /v1/transit/decrypt/direct',
      'POST /v1/transit/keys/direct/rotate',
      'GET /v1/transit/keys/direct',
      'GET /v1/transit/keys/direct',
      'POST /v1/transit/rewrap/direct',
      'POST /v1/transit/decrypt/direct',
    ]);
    expect(calls.every((q) => q.token === vault.token)).toBe(true);
    expect(calls[0]!.body).toEqual({ plaintext: key.toString('base64') });
    expect(calls[5]!.body).toEqual({ ciphertext: w.wrapped.toString() });
  });

  it('backs the keyring: DEKs are stored as Vault ciphertexts, KEK rotation re-wraps them', async () => {
    const ctx = { tenantId: tenant, table: 'contacts', column: 'email', rowId: 'r1' };
    const c = await keyring.encryptField(ctx, 'via vault');
    const [dek] = await t.db.withTenant(tenant, (tx) =>
      rows<{ w: string; kek_id: string; kek_version: number }>(
        tx,
        sql`select convert_from(wrapped_key, 'UTF8') as w, kek_id, kek_version from tenant_keys`,
      ),
    );
    expect(dek).toMatchObject({ kek_id: 'vault-transit:vigil', kek_version: 1 });
    expect(dek!.w).toMatch(/^vault:v1:/);

    const result = await rotateMasterKey({ db: t.db, provider: keyring.provider });
    expect(result.kekVersion).toBe(2);
    expect(vault.keyVersions('vigil')).toBe(2);
    const cold = createKeyring({ db: t.db, provider: keyring.provider, dataDir: data.dir });
    expect(await cold.decryptFieldText(ctx, c)).toBe('via vault');
    const [after] = await t.db.withTenant(tenant, (tx) =>
      rows<{ w: string }>(tx, sql`select convert_from(wrapped_key, 'UTF8') as w from tenant_keys`),
    );
    expect(after!.w).toMatch(/^vault:v2:/);
  });

  it('reports an unreachable Vault as key_unavailable with a clear message', async () => {
    const p = createVaultTransitProvider({
      address: `http://127.0.0.1:${await closedPort()}`,
      token: vault.token,
      keyName: 'vigil',
    });
    const e = await p.wrapKey(Buffer.alloc(32), 'ctx').catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'key_unavailable', message: 'vault transit is unreachable' });
  });

  it('reports a refused token as key_unavailable without echoing the token', async () => {
    const p = createVaultTransitProvider({
      address: vault.address,
      token: 'hvs.wrong-token',
      keyName: 'vigil',
    });
    const e = (await p
      .unwrapKey({ wrapped: Buffer.from('vault:v1:AAAA'), kekVersion: 1 }, 'ctx')
      .catch((x: unknown) => x)) as Error;
    expect(e).toMatchObject({ code: 'key_unavailable', message: 'vault transit refused the token' });
    expect(e.message).not.toContain('wrong-token');
    // And a keyring on top of it fails closed for a tenant with no cached keys.
    const bad = createKeyring({ db: t.db, provider: p, dataDir: data.dir });
    await expectCode(
      bad.decryptField(
        { tenantId: tenant, table: 'x', column: 'y', rowId: 'z' },
        await keyring.encryptField({ tenantId: tenant, table: 'x', column: 'y', rowId: 'z' }, 'v'),
      ),
      'key_unavailable',
    );
  });

  it('reports a tampered wrapped key as key_unavailable', async () => {
    const p = createVaultTransitProvider({ address: vault.address, token: vault.token, keyName: 'vigil' });
    const w = await p.wrapKey(Buffer.alloc(32, 1), 'ctx');
    const s = w.wrapped.toString();
    const tampered = Buffer.from(`${s.slice(0, -6)}AAAA${s.slice(-2)}`);
    await expectCode(p.unwrapKey({ wrapped: tampered, kekVersion: 1 }, 'ctx'), 'key_unavailable');
  });
});
