// SQL for awareness_drills (this domain's drill table).
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';
import type { DrillScenario } from './drill-scenarios.ts';
import type { Language } from './templates.ts';

export type DrillResult = 'passed' | 'failed' | 'no_response';

export interface DrillRow {
  id: string;
  agent_id: string;
  queue_id: string | null;
  scenario: DrillScenario;
  language: Language;
  conversation_id: string | null;
  due_at: Date | string;
  result: DrillResult | null;
  rule: string | null;
  launched_at: Date | string;
  scored_at: Date | string | null;
}

export async function insertDrill(
  tx: Tx,
  d: {
    tenantId: string;
    agentId: string;
    queueId: string;
    scenario: DrillScenario;
    language: Language;
    dueAt: Date;
    createdBy: string | null;
  },
): Promise<DrillRow> {
  const [r] = await rows<DrillRow>(
    tx,
    sql`insert into awareness_drills (tenant_id, agent_id, queue_id, scenario, language, due_at, created_by)
        values (${d.tenantId}, ${d.agentId}, ${d.queueId}, ${d.scenario}, ${d.language}, ${d.dueAt}, ${d.createdBy})
        returning *`,
  );
  return r!;
}

export async function setDrillConversation(tx: Tx, id: string, conversationId: string) {
  await tx.execute(sql`update awareness_drills set conversation_id = ${conversationId} where id = ${id}`);
}

export async function selectDrill(tx: Tx, id: string, forUpdate = false): Promise<DrillRow | undefined> {
  const [r] = await rows<DrillRow>(
    tx,
    sql`select * from awareness_drills where id = ${id} ${forUpdate ? sql`for update` : sql``}`,
  );
  return r;
}

export async function scoreDrill(tx: Tx, id: string, result: DrillResult, rule: string) {
  await tx.execute(sql`update awareness_drills set result = ${result}, rule = ${rule}, scored_at = now()
    where id = ${id} and result is null`);
}

export const selectDrills = (tx: Tx) =>
  rows<DrillRow & { display_name: string | null }>(
    tx,
    sql`select d.*, u.display_name from awareness_drills d left join users u on u.id = d.agent_id
        order by d.launched_at`,
  );

/** The agent's own scored drills (a running one stays invisible: it must look like a real chat). */
export const selectOwnDrills = (tx: Tx, userId: string) =>
  rows<DrillRow>(
    tx,
    sql`select * from awareness_drills where agent_id = ${userId} and result is not null order by launched_at`,
  );

export async function isQueueMember(tx: Tx, queueId: string, userId: string) {
  const r = await rows<{ one: number }>(
    tx,
    sql`select 1 as one from queue_members where queue_id = ${queueId} and user_id = ${userId}`,
  );
  return r.length > 0;
}
