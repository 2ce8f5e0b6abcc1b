// Reading a chain for the verification fast path: one row per window of sequence numbers, with
// the hashes as one hex string and the hashed fields as one text (fields joined by U+001F,
// events by U+001E; a nullable column is '' for NULL and '=' + value otherwise; time as epoch
// milliseconds). Both drivers return that row without decoding 16 columns per event, and the
// database builds it in one aggregate. Values that contain a separator make the field count
// wrong, so verify-batch refuses the batch and the full-field path takes over: the projection
// can only make verification slower, never make a changed event pass.
//
// On PostgreSQL, extra reader transactions import the verification transaction's snapshot
// (pg_export_snapshot), so several server processes build windows in parallel and all of them
// see exactly the same rows.
import { sql } from 'drizzle-orm';
import { type Database, rows, type Tx } from '../platform/db.ts';

export interface WindowRow {
  n: number | string;
  /** every hash is 32 bytes and every row belongs to the chain's tenant */
  fixed: boolean | null;
  h: string | null;
  j: string | null;
}

const opt = (c: string) => `coalesce('=' || ${c}, '')`;
const PROJECTION =
  sql.raw(`concat_ws(E'\\x1f', seq, round(date_part('epoch', time) * 1000)::int8, actor_type, ${opt('actor_id')}, action,
  ${opt('resource_type')}, ${opt('resource_id')}, outcome, ${opt('reason')}, ${opt('ip')}, ${opt('ua_hash')}, ${opt('request_id')}, meta::text)`);

/** Events with after < seq <= upto of one chain, in the compact projection. */
export function fetchWindow(
  tx: Tx,
  chain: string,
  tenantId: string | null,
  after: number,
  upto: number,
): Promise<WindowRow> {
  return rows<WindowRow>(
    tx,
    sql`select count(*) as n,
          bool_and(octet_length(prev_hash) = 32 and octet_length(hash) = 32 and tenant_id is not distinct from ${tenantId}::uuid) as fixed,
          encode(string_agg(prev_hash || hash, ''::bytea order by seq), 'hex') as h,
          string_agg(${PROJECTION}, E'\\x1e' order by seq) as j
        from audit_events where chain = ${chain}::uuid and seq > ${after} and seq <= ${upto}`,
  ).then((r) => r[0] as WindowRow);
}

export type Reader = (fn: (tx: Tx) => Promise<WindowRow>) => Promise<WindowRow>;

/**
 * Calls fn with `extra + 1` readers that all see the snapshot of `tx` (a repeatable-read
 * transaction). PGlite has one connection: it gets the single reader `tx`.
 */
export async function withSnapshotReaders<T>(
  db: Database,
  tx: Tx,
  extra: number,
  fn: (readers: Reader[]) => Promise<T>,
): Promise<T> {
  const own: Reader = serial((q) => q(tx));
  if (db.kind !== 'postgres' || extra <= 0) return fn([own]);
  const [snap] = await rows<{ s: string }>(tx, sql`select pg_export_snapshot() as s`);
  let release!: () => void;
  const done = new Promise<void>((r) => {
    release = r;
  });
  const ready: Promise<Reader>[] = [];
  const open: Promise<unknown>[] = [];
  for (let i = 0; i < extra; i++) {
    ready.push(
      new Promise<Reader>((resolve, reject) => {
        open.push(
          db
            .withOwner(async (rtx) => {
              await rtx.execute(sql`set transaction isolation level repeatable read`);
              await rtx.execute(
                sql`set transaction snapshot ${sql.raw(`'${(snap as { s: string }).s.replace(/[^0-9A-F-]/gi, '')}'`)}`,
              );
              await rtx.execute(sql`set transaction read only`);
              resolve(serial((q) => q(rtx)));
              await done;
            })
            .catch(reject),
        );
      }),
    );
  }
  try {
    const extras = await Promise.all(ready);
    return await fn([own, ...extras]);
  } finally {
    release();
    await Promise.allSettled(open);
  }
}

/** One query at a time per connection (node-postgres deprecates queueing on a busy client). */
function serial(reader: Reader): Reader {
  let last: Promise<unknown> = Promise.resolve();
  return (q) => {
    const next = last.then(
      () => reader(q),
      () => reader(q),
    );
    last = next.catch(() => undefined);
    return next;
  };
}
