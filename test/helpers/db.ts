// Test databases: an in-memory PGlite by default, or a fresh PostgreSQL database per call when
// VIGIL_TEST_DB=postgres (owner connection from VIGIL_TEST_PG_URL, default the local server).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openDatabase } from '../../src/platform/db.ts';
import { migrate } from '../../src/platform/migrate.ts';

export const testDbKind = (process.env.VIGIL_TEST_DB ?? 'pglite') as 'pglite' | 'postgres';
const adminUrl = process.env.VIGIL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  db: Database;
  url?: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  let db: Database;
  let url: string | undefined;
  let drop = async () => {};
  if (testDbKind === 'postgres') {
    const name = `vigil_t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    url = u.toString();
    db = await openDatabase({ databaseUrl: url });
    drop = async () => {
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    };
  } else {
    db = await openDatabase({});
  }
  if (opts.migrate !== false) await migrate(db);
  return {
    db,
    ...(url ? { url } : {}),
    drop: async () => {
      await db.close().catch(() => {});
      await drop();
    },
  };
}
