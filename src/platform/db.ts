// Database access for both engines: embedded PGlite (default) and PostgreSQL via node-postgres.
// Every application transaction runs as the NOBYPASSRLS role `vigil_app` with the tenant id set
// transaction-locally, so Row-Level Security holds even where a query forgets its tenant filter.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { VigilError } from './errors.ts';

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

/** A PostgreSQL text[] literal (drizzle would expand a JS array into a row constructor). */
export const pgTextArray = (xs: readonly string[]): string =>
  `{${xs.map((x) => `"${x.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;

type AppTransaction = <T>(tenantId: string, fn: (tx: Tx) => Promise<T>) => Promise<T>;

function makeDatabase(
  kind: Database['kind'],
  orm: Orm,
  execScript: (script: string) => Promise<void>,
  close: () => Promise<void>,
  pglite?: PGlite,
  appTransaction?: AppTransaction,
): Database {
  const asApp: AppTransaction =
    appTransaction ??
    (async (tenantId, fn) =>
      orm.transaction(async (tx) => {
        await tx.execute(
          sql`select set_config('role', ${APP_ROLE}, true), set_config('app.tenant_id', ${tenantId}, true)`,
        );
        return fn(tx as Tx);
      }));
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
  /**
   * Embedded buffer cache. PostgreSQL's 128 MB default would sit in the WASM heap of a single
   * connection whose files the OS caches anyway; 16 MB keeps an idle node under 400 MB.
   */
  pgliteSharedBuffers?: string;
}

/**
 * initdb leaves ~800 MB of WASM heap behind in the process that ran it, so a new data
 * directory is created by a short-lived child; the server then opens it like any other.
 */
async function initPgliteDirInChild(dir: string): Promise<void> {
  if (existsSync(join(dir, 'PG_VERSION'))) return;
  const script = fileURLToPath(new URL('./pglite-initdb.mjs', import.meta.url));
  await promisify(execFile)(process.execPath, [script, dir], { timeout: 120_000 });
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
    return makeDatabase('postgres', orm, execScript, () => pool.end(), undefined, pgAppTransaction(pool));
  }
  if (opts.pgliteDir) {
    mkdirSync(opts.pgliteDir, { recursive: true, mode: 0o700 });
    await initPgliteDirInChild(opts.pgliteDir);
  }
  const startParams = [
    ...PGlite.defaultStartParams,
    '-c',
    `shared_buffers=${opts.pgliteSharedBuffers ?? '16MB'}`,
  ];
  const client = opts.pgliteDir ? new PGlite(opts.pgliteDir, { startParams }) : new PGlite({ startParams });
  await client.waitReady;
  const orm = drizzlePglite(client) as unknown as Orm;
  const execScript = async (script: string) => {
    await client.transaction(async (tx) => {
      await tx.exec(script);
    });
  };
  return makeDatabase('pglite', orm, execScript, () => client.close(), client);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * node-postgres: BEGIN, the role and the tenant go to the server in one simple-protocol round
 * trip instead of two (the tenant id is inlined, so it must be a well-formed UUID).
 */
function pgAppTransaction(pool: pg.Pool): AppTransaction {
  const orms = new WeakMap<pg.PoolClient, Tx>();
  return async (tenantId, fn) => {
    if (!UUID_RE.test(tenantId)) throw new VigilError('not_found', 'not found');
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(
        `begin; select set_config('role', '${APP_ROLE}', true), set_config('app.tenant_id', '${tenantId}', true)`,
      );
      let tx = orms.get(client);
      if (!tx) {
        tx = drizzleNodePg(client) as unknown as Tx;
        orms.set(client, tx);
      }
      const result = await fn(tx);
      await client.query('commit');
      return result;
    } catch (e) {
      await client.query('rollback').catch((re: Error) => {
        broken = re;
      });
      throw e;
    } finally {
      client.release(broken);
    }
  };
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
