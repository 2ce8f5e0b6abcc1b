// Cost of encryption at rest, measured in one run against its own baseline: encrypt+decrypt of
// a 1 KB value through the keyring (keys cached, as in steady state) and the ratio of an
// encrypted insert to a plaintext insert of the same row into an in-memory PGlite table.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { openAesGcm, sealAesGcm } from '../src/crypto/aead.ts';
import { createKeyring } from '../src/crypto/keyring.ts';
import { createLocalKeyProvider } from '../src/crypto/local-provider.ts';
import { openDatabase, rows } from '../src/platform/db.ts';
import { migrate } from '../src/platform/migrate.ts';

export interface CryptoBenchResult {
  messageBytes: number;
  messages: number;
  encryptDecryptMicros: number;
  rawAesGcmMicros: number;
  rows: number;
  plaintextInsertMicros: number;
  encryptedInsertMicros: number;
  encryptedToPlaintextInsertRatio: number;
}

const round = (n: number) => Math.round(n * 100) / 100;

export async function benchCrypto(
  opts: { messages?: number; rows?: number } = {},
): Promise<CryptoBenchResult> {
  const messages = opts.messages ?? 5000;
  const rowCount = opts.rows ?? 500;
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  const db = await openDatabase({});
  try {
    await migrate(db);
    const keyring = createKeyring({
      db,
      provider: createLocalKeyProvider({ dataDir, masterKey: randomBytes(32).toString('base64') }),
      dataDir,
    });
    const [tenant] = await db.withOwner((tx) =>
      rows<{ id: string }>(tx, sql`insert into tenants (slug, name) values ('bench', 'Bench') returning id`),
    );
    const tenantId = tenant!.id;
    await db.execScript(`
      create table bench_plain (id uuid primary key, tenant_id uuid not null, body text not null);
      create table bench_sealed (id uuid primary key, tenant_id uuid not null, body bytea not null);
      grant select, insert on bench_plain, bench_sealed to vigil_app;`);

    const message = randomBytes(512).toString('hex'); // 1 KB of text
    const ctx = { tenantId, table: 'bench_sealed', column: 'body', rowId: randomUUID() };
    // Warm the key cache and the JIT: steady state is what we measure.
    for (let i = 0; i < 200; i++) await keyring.decryptField(ctx, await keyring.encryptField(ctx, message));
    let t0 = performance.now();
    for (let i = 0; i < messages; i++)
      await keyring.decryptField(ctx, await keyring.encryptField(ctx, message));
    const encryptDecryptMicros = ((performance.now() - t0) * 1000) / messages;

    const key = randomBytes(32);
    const aad = Buffer.from('aad');
    const bytes = Buffer.from(message);
    for (let i = 0; i < 200; i++) openAesGcm(key, sealAesGcm(key, bytes, aad), aad); // JIT warm-up
    t0 = performance.now();
    for (let i = 0; i < messages; i++) openAesGcm(key, sealAesGcm(key, bytes, aad), aad);
    const rawAesGcmMicros = ((performance.now() - t0) * 1000) / messages;

    const insertPlain = (id: string) =>
      db.withTenant(tenantId, (tx) =>
        tx.execute(sql`insert into bench_plain values (${id}, ${tenantId}, ${message})`),
      );
    const insertSealed = (id: string) =>
      db.withTenant(tenantId, async (tx) => {
        const body = await keyring.encryptField(
          { tenantId, table: 'bench_sealed', column: 'body', rowId: id },
          message,
          tx,
        );
        await tx.execute(sql`insert into bench_sealed values (${id}, ${tenantId}, ${body})`);
      });
    // Interleaved, so drift in the engine (cache warm-up, table growth) hits both equally.
    let plainMs = 0;
    let sealedMs = 0;
    for (let i = 0; i < 20; i++) {
      await insertPlain(randomUUID());
      await insertSealed(randomUUID());
    }
    for (let i = 0; i < rowCount; i++) {
      let s = performance.now();
      await insertPlain(randomUUID());
      plainMs += performance.now() - s;
      s = performance.now();
      await insertSealed(randomUUID());
      sealedMs += performance.now() - s;
    }
    return {
      messageBytes: Buffer.byteLength(message),
      messages,
      encryptDecryptMicros: round(encryptDecryptMicros),
      rawAesGcmMicros: round(rawAesGcmMicros),
      rows: rowCount,
      plaintextInsertMicros: round((plainMs * 1000) / rowCount),
      encryptedInsertMicros: round((sealedMs * 1000) / rowCount),
      encryptedToPlaintextInsertRatio: round(sealedMs / plainMs),
    };
  } finally {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
