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
import { type PgDatabase, PgDialect, type PgQueryResultHKT, type PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { VigilError } from './errors.ts';

export type Tx = PgTransaction<PgQueryResultHKT>;
type Orm = PgDatabase<PgQueryResultHKT>;

export const APP_ROLE = 'vigil_app';
export const NO_TENANT = '00000000-0000-0000-0000-000000000000';

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
  /**
   * One statement as the application role for `tenantId` (NO_TENANT: the platform), sent with
   * the role and tenant settings in one simple-protocol message: one round trip, run by the
   * server as one implicit transaction (committed, or rolled back whole on any error, before
   * the answer arrives). Parameters are inlined (see inlineSql). Returns its rows.
   */
  execAppStatement?(tenantId: string, statement: SQL): Promise<Record<string, unknown>[]>;
  /** Cheap liveness probe for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The raw PGlite handle (embedded mode), for dumps and backups. */
  readonly pglite?: PGlite;
}

/**
 * Round trips to the database (statements or simple-protocol batches, BEGIN and COMMIT
 * included) and transactions since start, for the bench and the metrics: the cost of a request
 * in the database's own units.
 */
export const dbCounters = { roundTrips: 0, transactions: 0 };

type Queryable = { query: (...a: never[]) => Promise<unknown>; exec?: (...a: never[]) => Promise<unknown> };

/** Counts every query/exec call of a driver object, in place. */
function countCalls<T extends Queryable>(target: T): T {
  for (const name of ['query', 'exec'] as const) {
    const fn = target[name];
    if (typeof fn !== 'function') continue;
    (target as Record<string, unknown>)[name] = function (this: unknown, ...args: never[]) {
      dbCounters.roundTrips++;
      const first = args[0] as unknown;
      const text = typeof first === 'string' ? first : (first as { text?: unknown } | undefined)?.text;
      if (typeof text === 'string' && /^\s*begin\b/i.test(text)) dbCounters.transactions++;
      return (fn as (...a: never[]) => Promise<unknown>).apply(this, args);
    };
  }
  return target;
}

/** PGlite: its own BEGIN and COMMIT are counted with each transaction. */
function countPglite(client: PGlite): PGlite {
  countCalls(client as unknown as Queryable);
  const transaction = client.transaction.bind(client);
  client.transaction = ((fn: (tx: Queryable) => Promise<unknown>) => {
    dbCounters.transactions++;
    dbCounters.roundTrips += 2;
    return transaction((tx) => fn(countCalls(tx as unknown as Queryable)));
  }) as PGlite['transaction'];
  return client;
}

export async function rows<T>(tx: Pick<Tx, 'execute'>, query: SQL): Promise<T[]> {
  const res = (await tx.execute(query)) as unknown as { rows: T[] };
  return res.rows;
}

/** A PostgreSQL text[] literal (drizzle would expand a JS array into a row constructor). */
export const pgTextArray = (xs: readonly string[]): string =>
  `{${xs.map((x) => `"${x.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;

/** A value as an SQL literal, correct whatever standard_conforming_strings says. */
export function sqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new VigilError('internal', 'non-finite number in SQL');
    return String(v);
  }
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Uint8Array)
    return `E'\\\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}'::bytea`;
  if (v instanceof Date) return sqlLiteral(v.toISOString());
  if (typeof v !== 'string') throw new VigilError('internal', 'unsupported SQL literal');
  if (v.includes('\0')) throw new VigilError('invalid_input', 'NUL character');
  // node-postgres' own escaping (an E-string when the value holds a backslash).
  return pg.escapeLiteral(v);
}

const dialect = new PgDialect();

/**
 * A drizzle query as plain SQL text with its parameters inlined as literals, for the simple
 * protocol (one message, several statements). Only for statements written in this code base:
 * their text holds no `$n` outside the placeholders.
 */
export function inlineSql(query: SQL): string {
  const q = dialect.sqlToQuery(query);
  return q.sql.replace(/\$(\d+)\b/g, (_m, n: string) => sqlLiteral(q.params[Number(n) - 1]));
}

const appSettings = (tenantId: string) => {
  if (!UUID_RE.test(tenantId)) throw new VigilError('not_found', 'not found');
  return `select set_config('role', '${APP_ROLE}', true), set_config('app.tenant_id', '${tenantId}', true)`;
};

type SimpleResult = { rows: Record<string, unknown>[] };
const lastRows = (res: SimpleResult | SimpleResult[]) =>
  Array.isArray(res) ? (res.at(-1)?.rows ?? []) : res.rows;

/**
 * For read-only work: a Tx whose every statement is one round trip of its own (execAppStatement)
 * instead of BEGIN, settings, the statements and COMMIT. Under READ COMMITTED every statement of
 * a transaction takes its own snapshot anyway, so independent SELECTs see what they would have
 * seen inside one; `fn` must not lock rows or write. Without execAppStatement: withTenant.
 */
export function withTenantReads<T>(
  db: Pick<Database, 'withTenant' | 'execAppStatement'>,
  tenantId: string,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  const exec = db.execAppStatement;
  if (!exec) return db.withTenant(tenantId, fn);
  const tx = { execute: async (q: SQL) => ({ rows: await exec(tenantId, q) }) };
  return fn(tx as unknown as Tx);
}

type AppTransaction = <T>(tenantId: string, fn: (tx: Tx) => Promise<T>) => Promise<T>;

function makeDatabase(
  kind: Database['kind'],
  orm: Orm,
  execScript: (script: string) => Promise<void>,
  close: () => Promise<void>,
  pglite?: PGlite,
  appTransaction?: AppTransaction,
  simpleQuery?: (text: string) => Promise<SimpleResult | SimpleResult[]>,
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
    ...(simpleQuery
      ? {
          execAppStatement: async (tenantId: string, statement: SQL) => {
            const text = `${appSettings(tenantId)}; ${inlineSql(statement)}`;
            dbCounters.transactions++;
            return lastRows(await simpleQuery(text));
          },
        }
      : {}),
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
    pool.on('connect', (client) => {
      client.on('error', () => {});
      countCalls(client as unknown as Queryable);
    });
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
    const simple = (text: string) => pool.query(text) as unknown as Promise<SimpleResult | SimpleResult[]>;
    return makeDatabase(
      'postgres',
      orm,
      execScript,
      () => pool.end(),
      undefined,
      pgAppTransaction(pool),
      simple,
    );
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
  countPglite(client);
  const orm = drizzlePglite(client) as unknown as Orm;
  const execScript = async (script: string) => {
    await client.transaction(async (tx) => {
      await tx.exec(script);
    });
  };
  const simple = (text: string) => client.exec(text) as Promise<SimpleResult[]>;
  return makeDatabase('pglite', orm, execScript, () => client.close(), client, undefined, simple);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * node-postgres: BEGIN, the role and the tenant go to the server in one simple-protocol round
 * trip instead of two (the tenant id is inlined, so it must be a well-formed UUID).
 */
function pgAppTransaction(pool: pg.Pool): AppTransaction {
  const orms = new WeakMap<pg.PoolClient, Tx>();
  return async (tenantId, fn) => {
    const settings = appSettings(tenantId);
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(`begin; ${settings}`);
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
