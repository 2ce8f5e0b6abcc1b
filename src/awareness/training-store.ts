// SQL for awareness_modules, awareness_attempts and awareness_assignments (this domain's training
// tables; phish_* live in store.ts).
import { sql } from 'drizzle-orm';
import { pgTextArray } from '../ingest/index.ts';
import { rows, type Tx } from '../platform/db.ts';
import type { Language } from './templates.ts';

export interface Section {
  heading: string;
  markdown: string;
}
export interface Question {
  question: string;
  options: string[];
  /** Indices of the correct options (never sent to learners). */
  correct: number[];
}

export interface ModuleRow {
  id: string;
  training_id: string | null;
  language: Language;
  title: string;
  roles: string[];
  version: number;
  sections: Section[];
  quiz: Question[];
  pass_percent: number;
  max_attempts: number;
  refresher: boolean;
  active: boolean;
}

export interface ModuleContent {
  title: string;
  language: Language;
  roles: string[];
  sections: Section[];
  quiz: Question[];
  passPercent: number;
  maxAttempts: number;
  refresher?: boolean;
}

const json = (v: unknown) => sql`${JSON.stringify(v)}::jsonb`;

export async function insertModule(tx: Tx, tenantId: string, trainingId: string | null, m: ModuleContent) {
  const [r] = await rows<ModuleRow>(
    tx,
    sql`insert into awareness_modules (tenant_id, training_id, language, title, roles, sections, quiz,
          pass_percent, max_attempts, refresher)
        values (${tenantId}, ${trainingId}, ${m.language}, ${m.title}, ${pgTextArray(m.roles)}::text[],
          ${json(m.sections)}, ${json(m.quiz)}, ${m.passPercent}, ${m.maxAttempts}, ${m.refresher === true})
        returning *`,
  );
  return r!;
}

/** New content is a new version: earlier attempts and completions no longer count. */
export async function updateModuleContent(tx: Tx, id: string, m: ModuleContent) {
  const [r] = await rows<ModuleRow>(
    tx,
    sql`update awareness_modules set title = ${m.title}, language = ${m.language},
          roles = ${pgTextArray(m.roles)}::text[], sections = ${json(m.sections)}, quiz = ${json(m.quiz)},
          pass_percent = ${m.passPercent}, max_attempts = ${m.maxAttempts}, version = version + 1, updated_at = now()
        where id = ${id} returning *`,
  );
  return r;
}

export async function selectModule(tx: Tx, id: string): Promise<ModuleRow | undefined> {
  const [r] = await rows<ModuleRow>(tx, sql`select * from awareness_modules where id = ${id}`);
  return r;
}

export const selectModules = (tx: Tx) =>
  rows<ModuleRow>(tx, sql`select * from awareness_modules where active order by created_at`);

export async function countAttempts(tx: Tx, moduleId: string, userId: string, version: number) {
  const [r] = await rows<{ n: number; passed: number }>(
    tx,
    sql`select count(*)::int as n, count(*) filter (where passed)::int as passed from awareness_attempts
        where module_id = ${moduleId} and user_id = ${userId} and version = ${version}`,
  );
  return r!;
}

export async function insertAttempt(
  tx: Tx,
  a: { tenantId: string; moduleId: string; userId: string; version: number; score: number; passed: boolean },
) {
  await tx.execute(sql`insert into awareness_attempts (tenant_id, module_id, user_id, version, score_percent, passed)
    values (${a.tenantId}, ${a.moduleId}, ${a.userId}, ${a.version}, ${a.score}, ${a.passed})`);
}

/** The tenant's refresher in `language`, else any active refresher. */
export async function selectRefresher(tx: Tx, language: Language) {
  const [r] = await rows<{ id: string }>(
    tx,
    sql`select id from awareness_modules where refresher and active
        order by (language = ${language}) desc, created_at limit 1`,
  );
  return r;
}

export async function insertAssignment(
  tx: Tx,
  a: {
    tenantId: string;
    moduleId: string;
    userId: string;
    reason: string;
    campaignId: string | null;
    drillId?: string;
    dueAt: Date;
  },
) {
  const r = await rows<{ id: string }>(
    tx,
    sql`insert into awareness_assignments (tenant_id, module_id, user_id, reason, campaign_id, drill_id, due_at)
        values (${a.tenantId}, ${a.moduleId}, ${a.userId}, ${a.reason}, ${a.campaignId}, ${a.drillId ?? null}, ${a.dueAt})
        on conflict do nothing returning id`,
  );
  return r[0]?.id ?? null;
}

export async function completeAssignments(tx: Tx, moduleId: string, userId: string) {
  await tx.execute(sql`update awareness_assignments set completed_at = now()
    where module_id = ${moduleId} and user_id = ${userId} and completed_at is null`);
}

export function selectAssignments(tx: Tx, userId: string) {
  return rows<{
    id: string;
    module_id: string;
    reason: string;
    due_at: Date | string;
    completed_at: Date | string | null;
  }>(
    tx,
    sql`select id, module_id, reason, due_at, completed_at from awareness_assignments
        where user_id = ${userId} order by due_at`,
  );
}

/** Of one module: which of the user's current-version attempts passed, and how many were used. */
export function selectMyProgress(tx: Tx, userId: string) {
  return rows<{ module_id: string; used: number; passed: boolean }>(
    tx,
    sql`select a.module_id, count(*)::int as used, bool_or(a.passed) as passed from awareness_attempts a
        join awareness_modules m on m.id = a.module_id and m.version = a.version
        where a.user_id = ${userId} group by a.module_id`,
  );
}

/** Whether a gate training is completed through a module's quiz (not by acknowledgement). */
export async function isQuizBacked(tx: Tx, trainingId: string): Promise<boolean> {
  const [r] = await rows<{ n: number }>(
    tx,
    sql`select count(*)::int as n from awareness_modules where training_id = ${trainingId} and active`,
  );
  return (r?.n ?? 0) > 0;
}
