// Data access for language routes (the translation domain owns language_routes). Callers run
// inside db.withTenant (RLS).
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';

export interface LanguageRouteRow {
  language: string;
  queue_id: string;
  updated_at: Date | string;
}

export const listRoutes = (tx: Tx) =>
  rows<LanguageRouteRow>(
    tx,
    sql`select language, queue_id, updated_at from language_routes order by language`,
  );

export async function queueFor(tx: Tx, language: string): Promise<string | null> {
  const [r] = await rows<{ queue_id: string }>(
    tx,
    sql`select queue_id from language_routes where language = ${language}`,
  );
  return r?.queue_id ?? null;
}

/** True when the queue exists in the current tenant (RLS hides every other tenant's queues). */
export async function queueExists(tx: Tx, queueId: string): Promise<boolean> {
  const found = await rows(tx, sql`select 1 from queues where id = ${queueId}`);
  return found.length > 0;
}

export async function upsertRoute(
  tx: Tx,
  r: { tenantId: string; language: string; queueId: string; updatedBy: string | null },
): Promise<void> {
  await tx.execute(sql`insert into language_routes (tenant_id, language, queue_id, updated_by)
    values (${r.tenantId}, ${r.language}, ${r.queueId}, ${r.updatedBy})
    on conflict (tenant_id, language) do update
      set queue_id = excluded.queue_id, updated_by = excluded.updated_by, updated_at = now()`);
}

export async function deleteRoute(tx: Tx, language: string): Promise<boolean> {
  const r = await rows(tx, sql`delete from language_routes where language = ${language} returning language`);
  return r.length > 0;
}
