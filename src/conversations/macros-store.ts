// Data access for canned replies and macros. Callers run inside db.withTenant (RLS).
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';

export interface MacroRow {
  id: string;
  name: string;
  language: string;
  body: string;
  set_status: string | null;
  updated_at: Date | string;
}

const COLS = sql`id, name, language, body, set_status, updated_at`;

export function listMacros(tx: Tx, language?: string): Promise<MacroRow[]> {
  return rows<MacroRow>(
    tx,
    sql`select ${COLS} from macros ${language ? sql`where language = ${language}` : sql``} order by language, name limit 500`,
  );
}

export async function getMacro(tx: Tx, id: string): Promise<MacroRow | undefined> {
  const [r] = await rows<MacroRow>(tx, sql`select ${COLS} from macros where id = ${id}`);
  return r;
}

export async function insertMacro(
  tx: Tx,
  tenantId: string,
  m: { name: string; language: string; body: string; setStatus: string | null },
  by: string | null,
): Promise<MacroRow | undefined> {
  const [r] = await rows<MacroRow>(
    tx,
    sql`insert into macros (tenant_id, name, language, body, set_status, created_by)
        values (${tenantId}, ${m.name}, ${m.language}, ${m.body}, ${m.setStatus}, ${by})
        on conflict (tenant_id, language, name) do nothing returning ${COLS}`,
  );
  return r;
}

export async function updateMacro(
  tx: Tx,
  id: string,
  m: { name?: string; language?: string; body?: string; setStatus?: string | null },
): Promise<MacroRow | undefined> {
  const [r] = await rows<MacroRow>(
    tx,
    sql`update macros set name = coalesce(${m.name ?? null}, name), language = coalesce(${m.language ?? null}, language),
          body = coalesce(${m.body ?? null}, body),
          set_status = ${m.setStatus === undefined ? sql`set_status` : sql`${m.setStatus}`}, updated_at = now()
        where id = ${id} returning ${COLS}`,
  );
  return r;
}

export async function deleteMacro(tx: Tx, id: string): Promise<boolean> {
  return (await rows(tx, sql`delete from macros where id = ${id} returning id`)).length > 0;
}

/** The signed-in staff member's display name (a macro's {{agent.name}}). */
export async function displayName(tx: Tx, userId: string): Promise<string | null> {
  const [r] = await rows<{ display_name: string | null }>(
    tx,
    sql`select display_name from users where id = ${userId}`,
  );
  return r?.display_name ?? null;
}
