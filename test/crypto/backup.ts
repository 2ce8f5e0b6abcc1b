// Database backups for the crypto tests: the PGlite data-dir dump, or pg_dump for PostgreSQL,
// restored into a brand-new database. Also the raw bytes of a dump, to grep for plaintext.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/pglite';
import pg from 'pg';
import { APP_ROLE, type Database, openDatabase, type Tx } from '../../src/platform/db.ts';
import type { TestDatabase } from '../helpers/db.ts';

export type Backup = { kind: 'pglite'; blob: Blob } | { kind: 'postgres'; script: string };

export async function takeBackup(t: TestDatabase): Promise<Backup> {
  if (t.db.pglite) {
    await t.db.withOwner((tx) => tx.execute(sql`checkpoint`));
    return { kind: 'pglite', blob: await t.db.pglite.dumpDataDir('none') };
  }
  return {
    kind: 'postgres',
    script: execFileSync('pg_dump', ['--no-owner', t.url!], { encoding: 'utf8', maxBuffer: 1 << 30 }),
  };
}

/** The bytes an attacker with the backup file would hold. */
export async function backupBytes(b: Backup): Promise<Buffer> {
  if (b.kind === 'postgres') return Buffer.from(b.script, 'utf8');
  const raw = Buffer.from(await b.blob.arrayBuffer());
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

export async function restoreBackup(b: Backup): Promise<{ db: Database; drop(): Promise<void> }> {
  if (b.kind === 'pglite') {
    const client = new PGlite({ loadDataDir: b.blob });
    await client.waitReady;
    const db = databaseOverPglite(client);
    return { db, drop: () => db.close() };
  }
  const adminUrl = process.env.VIGIL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const name = `vigil_r_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', u.toString()], {
    input: b.script,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  const db = await openDatabase({ databaseUrl: u.toString() });
  return {
    db,
    drop: async () => {
      await db.close();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

// openDatabase cannot adopt an existing PGlite instance, so this mirrors its transaction setup.
function databaseOverPglite(client: PGlite): Database {
  const orm = drizzle(client) as unknown as PgDatabase<PgQueryResultHKT>;
  const asApp = <T>(tenantId: string, fn: (tx: Tx) => Promise<T>) =>
    orm.transaction(async (tx) => {
      await tx.execute(
        sql`select set_config('role', ${APP_ROLE}, true), set_config('app.tenant_id', ${tenantId}, true)`,
      );
      return fn(tx as Tx);
    });
  return {
    kind: 'pglite',
    pglite: client,
    withTenant: asApp,
    withPlatform: (fn) => asApp('00000000-0000-0000-0000-000000000000', fn),
    withOwner: (fn) => orm.transaction((tx) => fn(tx as Tx)),
    execScript: async (script) => {
      await client.exec(script);
    },
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
  };
}
