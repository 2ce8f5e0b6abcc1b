// Training modules: markdown sections and a quiz with a pass mark and a number of tries, per
// language and role, versioned. A passed quiz records the completion of the module's gate
// training (the record the tenant access gate checks); a refresher is assigned after a click.
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database } from '../platform/db.ts';
import { notFound, VigilError } from '../platform/errors.ts';
import { iso } from './campaigns.ts';
import type { Language } from './templates.ts';
import type { RecipientRef } from './token.ts';
import * as ts from './training-store.ts';

/** What the training gate exposes (src/identity/access-policy/training.ts). */
export interface GateTrainings {
  define(
    ctx: TenantContext,
    t: {
      title: string;
      validityMonths: number;
      requiredRoles?: Array<'agent' | 'supervisor' | 'tenant_admin' | 'security_officer' | 'dpo'>;
    },
  ): Promise<{ id: string }>;
  update(ctx: TenantContext, id: string, p: { title?: string; newVersion?: boolean }): Promise<unknown>;
  complete(
    ctx: TenantContext,
    id: string,
    userId: string,
    completedAt?: Date,
    opts?: { quizPassed?: boolean },
  ): Promise<{ expiresAt: string }>;
}

export type ModuleInput = ts.ModuleContent & { validityMonths?: number };

const REFRESHER_DUE_DAYS = 7;

/** The learner's view: no correct answers. */
const learnerView = (m: ts.ModuleRow) => ({
  id: m.id,
  title: m.title,
  language: m.language,
  roles: m.roles,
  version: m.version,
  refresher: m.refresher,
  passPercent: m.pass_percent,
  maxAttempts: m.max_attempts,
  trainingId: m.training_id,
  sections: m.sections,
  quiz: m.quiz.map((q) => ({ question: q.question, options: q.options, multiple: q.correct.length > 1 })),
});
export type ModuleView = ReturnType<typeof learnerView>;

/** Percentage of questions answered exactly right (all correct options, nothing else). */
export function scoreQuiz(quiz: ts.Question[], answers: number[][]): number {
  if (!quiz.length) return 100;
  const right = quiz.filter((q, i) => {
    const a = [...new Set(answers[i] ?? [])].sort();
    const c = [...q.correct].sort();
    return a.length === c.length && a.every((v, j) => v === c[j]);
  }).length;
  return Math.floor((right * 100) / quiz.length);
}

function checkContent(m: ts.ModuleContent): void {
  m.quiz.forEach((q, i) => {
    if (!q.correct.length || q.correct.some((c) => c < 0 || c >= q.options.length))
      throw new VigilError('invalid_input', 'every question needs correct options among its options', {
        details: [{ path: `quiz/${i}/correct`, message: 'index out of range' }],
      });
  });
}

export function createModuleService(deps: { db: Database; audit: AuditRecorder; gate: GateTrainings }) {
  const { db, audit, gate } = deps;

  async function create(ctx: TenantContext, input: ModuleInput): Promise<ModuleView> {
    checkContent(input);
    const gateRoles = input.roles.filter((r) => r !== 'platform_admin') as never[];
    const training = input.refresher
      ? null
      : await gate.define(ctx, {
          title: input.title,
          validityMonths: input.validityMonths ?? 12,
          requiredRoles: gateRoles,
        });
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const m = await ts.insertModule(tx, ctx.tenant.id, training?.id ?? null, input);
      await audit.inTx(
        tx,
        userAction(ctx, 'awareness.module.create', 'awareness_module', m.id, { version: 1 }),
      );
      return learnerView(m);
    });
  }

  async function revise(ctx: TenantContext, id: string, input: ModuleInput): Promise<ModuleView> {
    checkContent(input);
    const m = await db.withTenant(ctx.tenant.id, async (tx) => {
      if (!(await ts.selectModule(tx, id))) throw notFound('module');
      const r = (await ts.updateModuleContent(tx, id, input))!;
      await audit.inTx(
        tx,
        userAction(ctx, 'awareness.module.revise', 'awareness_module', id, { version: r.version }),
      );
      return r;
    });
    // The gate's version follows: earlier completions stop counting.
    if (m.training_id) await gate.update(ctx, m.training_id, { title: m.title, newVersion: true });
    return learnerView(m);
  }

  async function get(ctx: TenantContext, id: string) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const m = await ts.selectModule(tx, id);
      if (!m?.active) throw notFound('module');
      const { n, passed } = await ts.countAttempts(tx, id, ctx.actor.id!, m.version);
      return { ...learnerView(m), attemptsUsed: n, passed: passed > 0 };
    });
  }

  /** Grades one try; a pass writes the gate completion and closes the learner's assignments. */
  async function attempt(ctx: TenantContext, id: string, answers: number[][]) {
    const userId = ctx.actor.id!;
    const graded = await db.withTenant(ctx.tenant.id, async (tx) => {
      const m = await ts.selectModule(tx, id);
      if (!m?.active) throw notFound('module');
      const { n } = await ts.countAttempts(tx, id, userId, m.version);
      if (n >= m.max_attempts)
        throw new VigilError(
          'quiz_attempts_exhausted',
          'no tries left for this version; ask your security officer',
        );
      const score = scoreQuiz(m.quiz, answers);
      const passed = score >= m.pass_percent;
      await ts.insertAttempt(tx, {
        tenantId: ctx.tenant.id,
        moduleId: id,
        userId,
        version: m.version,
        score,
        passed,
      });
      if (passed) await ts.completeAssignments(tx, id, userId);
      await audit.inTx(
        tx,
        userAction(ctx, 'awareness.quiz.attempt', 'awareness_module', id, {
          version: m.version,
          score,
          passed,
        }),
      );
      return { m, score, passed, attemptsLeft: m.max_attempts - n - 1 };
    });
    const completion =
      graded.passed && graded.m.training_id
        ? await gate.complete(ctx, graded.m.training_id, userId, undefined, { quizPassed: true })
        : null;
    return {
      score: graded.score,
      passed: graded.passed,
      passPercent: graded.m.pass_percent,
      attemptsLeft: graded.attemptsLeft,
      completionExpiresAt: completion?.expiresAt ?? null,
    };
  }

  /** Modules for the caller's roles, with progress and assigned refreshers. */
  async function mine(ctx: TenantContext) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const userId = ctx.actor.id!;
      const assignments = await ts.selectAssignments(tx, userId);
      const progress = new Map((await ts.selectMyProgress(tx, userId)).map((p) => [p.module_id, p]));
      const assigned = new Set(assignments.map((a) => a.module_id));
      const modules = (await ts.selectModules(tx)).filter(
        (m) =>
          assigned.has(m.id) || (!m.refresher && m.roles.some((r) => (ctx.roles as string[]).includes(r))),
      );
      return {
        modules: modules.map((m) => ({
          ...learnerView(m),
          attemptsUsed: progress.get(m.id)?.used ?? 0,
          passed: progress.get(m.id)?.passed ?? false,
        })),
        assignments: assignments.map((a) => ({
          id: a.id,
          moduleId: a.module_id,
          reason: a.reason,
          dueAt: iso(a.due_at),
          completedAt: a.completed_at ? iso(a.completed_at) : null,
        })),
      };
    });
  }

  /** After a click or submit: the refresher in the recipient's language, due in a week. */
  async function assign(
    tenantId: string,
    userId: string,
    language: Language,
    why: { reason: string; campaignId: string | null; drillId?: string },
  ) {
    await db.withTenant(tenantId, async (tx) => {
      const mod = await ts.selectRefresher(tx, language);
      if (!mod) return;
      const id = await ts.insertAssignment(tx, {
        tenantId,
        moduleId: mod.id,
        userId,
        ...why,
        dueAt: new Date(Date.now() + REFRESHER_DUE_DAYS * 86_400_000),
      });
      if (id)
        await audit.inTx(tx, {
          tenantId,
          actorType: 'system',
          actorId: null,
          action: 'awareness.refresher.assign',
          resourceType: 'awareness_assignment',
          resourceId: id,
          outcome: 'success',
          meta: { subjectUser: userId },
        });
    });
  }

  const assignRefresher = (
    ref: RecipientRef,
    userId: string,
    campaignId: string,
    kind: 'clicked' | 'submitted',
    language: Language,
  ) =>
    assign(ref.tenantId, userId, language, {
      reason: kind === 'clicked' ? 'simulation_clicked' : 'simulation_submitted',
      campaignId,
    });

  /** A failed social-engineering drill (drills.ts). */
  const assignDrillRefresher = (tenantId: string, userId: string, drillId: string, language: Language) =>
    assign(tenantId, userId, language, { reason: 'drill_failed', campaignId: null, drillId });

  return { create, revise, get, attempt, mine, assignRefresher, assignDrillRefresher };
}

export type ModuleService = ReturnType<typeof createModuleService>;
