// Catalog queries shared by backup and restore: which tables hold data, in foreign-key order,
// and which of their columns can be written (generated columns cannot).
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';

export const MIGRATIONS_TABLE = 'vigil_migrations';

/** Base tables of the public schema except the migration ledger, parents before children. */
export async function dataTables(tx: Tx): Promise<string[]> {
  const tables = (
    await rows<{ name: string }>(
      tx,
      sql`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> ${MIGRATIONS_TABLE} order by 1`,
    )
  ).map((r) => r.name);
  const edges = await rows<{ child: string; parent: string }>(
    tx,
    sql`select c.relname as child, p.relname as parent from pg_constraint k
          join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid
          join pg_namespace n on n.oid = c.relnamespace
        where k.contype = 'f' and n.nspname = 'public' and k.conrelid <> k.confrelid`,
  );
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set<string>()]));
  for (const e of edges) parents.get(e.child)?.add(e.parent);
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (t: string, path: Set<string>) => {
    if (seen.has(t) || path.has(t)) return;
    path.add(t);
    for (const p of parents.get(t) ?? []) if (parents.has(p)) visit(p, path);
    path.delete(t);
    seen.add(t);
    out.push(t);
  };
  for (const t of tables) visit(t, new Set());
  return out;
}

export async function writableColumns(tx: Tx, table: string): Promise<string[]> {
  const r = await rows<{ name: string }>(
    tx,
    sql`select a.attname as name from pg_attribute a
        where a.attrelid = ${`public.${quoteIdent(table)}`}::regclass and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
        order by a.attnum`,
  );
  return r.map((x) => x.name);
}

export async function appliedMigrations(tx: Tx): Promise<{ id: string; checksum: string }[]> {
  return rows<{ id: string; checksum: string }>(
    tx,
    sql`select id, checksum from vigil_migrations order by id`,
  );
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
