// Database access for both engines: embedded PGlite (default) and PostgreSQL via node-postgres.
// Every application transaction runs as the NOBYPASSRLS role `vigil_app` with the tenant id set
// transaction-locally, so Row-Level Security holds even where a query forgets its tenant filter.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';

export type Tx = PgTransaction<PgQueryResultHKT>;
type Orm = PgDatabase<PgQueryResultHKT>;

export const APP_ROLE = 'vigil_app';
const NO_TENANT = '00000000-0000-0000-0000-000000000000';

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /** A transaction as the application role, scoped by RLS to one tenant. */
  withTenant<T>(tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** A transaction as the application role with no tenant: platform tables only. */
  withPlatform<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** A transaction as the database owner: migrations and maintenance jobs only. */
  withOwner<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs a multi-statement SQL script in one owner transaction (migrations). */
  execScript(script: string): Promise<void>;
  /** Cheap liveness probe for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The raw PGlite handle (embedded mode), for dumps and backups. */
  readonly pglite?: PGlite;
}

export async function rows<T>(tx: Pick<Tx, 'execute'>, query: SQL): Promise<T[]> {
  const res = (await tx.execute(query)) as unknown as { rows: T[] };
  return res.rows;
}

function makeDatabase(
  kind: Database['kind'],
  orm: Orm,
  execScript: (script: string) => Promise<void>,
  close: () => Promise<void>,
  pglite?: PGlite,
): Database {
  const asApp = async <T>(tenantId: string, fn: (tx: Tx) => Promise<T>) =>
    orm.transaction(async (tx) => {
      await tx.execute(
        sql`select set_config('role', ${APP_ROLE}, true), set_config('app.tenant_id', ${tenantId}, true)`,
      );
      return fn(tx as Tx);
    });
  return {
    kind,
    pglite,
    withTenant: (tenantId, fn) => asApp(tenantId, fn),
    withPlatform: (fn) => asApp(NO_TENANT, fn),
    withOwner: (fn) => orm.transaction(async (tx) => fn(tx as Tx)),
    execScript,
    ping: async () => {
      await orm.execute(sql`select 1`);
    },
    close,
  };
}

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** Directory for the embedded database; undefined means in-memory (tests). */
  pgliteDir?: string | undefined;
  poolSize?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // A dead pool connection must not crash the process; the next query reports the error.
    pool.on('error', () => {});
    // Same for a checked-out connection the server terminates (restart, failover): without a
    // listener its 'error' event would kill the process; the running query still fails.
    pool.on('connect', (client) => client.on('error', () => {}));
    const orm = drizzleNodePg(pool) as unknown as Orm;
    const execScript = async (script: string) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(script);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    };
    return makeDatabase('postgres', orm, execScript, () => pool.end());
  }
  if (opts.pgliteDir) mkdirSync(opts.pgliteDir, { recursive: true, mode: 0o700 });
  const client = opts.pgliteDir ? new PGlite(opts.pgliteDir) : new PGlite();
  await client.waitReady;
  const orm = drizzlePglite(client) as unknown as Orm;
  const execScript = async (script: string) => {
    await client.transaction(async (tx) => {
      await tx.exec(script);
    });
  };
  return makeDatabase('pglite', orm, execScript, () => client.close(), client);
}

export const pgliteDirFor = (dataDir: string) => join(dataDir, 'pg');

/** The driver error behind Drizzle's wrapper: SQLSTATE code and server message. */
export function pgErrorOf(e: unknown): { code: string | undefined; message: string; constraint?: string } {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur; i++) {
    const c = cur as { code?: unknown; message?: unknown; constraint?: unknown; cause?: unknown };
    if (typeof c.code === 'string' && /^[0-9A-Z]{5}$/.test(c.code)) {
      return {
        code: c.code,
        message: String(c.message),
        ...(typeof c.constraint === 'string' ? { constraint: c.constraint } : {}),
      };
    }
    cur = c.cause;
  }
  return { code: undefined, message: e instanceof Error ? e.message : String(e) };
}
