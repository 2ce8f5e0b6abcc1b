// Trainings and policy attestations a tenant requires of its members (per role). A member without
// a valid completion of the current version of every required training is refused the tenant's
// data (`training_required`); other tenants are unaffected. The clock is injectable for tests.

import { sql } from 'drizzle-orm';
import type { TENANT_ROLES } from '../../authz/index.ts';
import { pgTextArray } from '../../ingest/text.ts';
import { type AuditRecorder, userAction } from '../../platform/audit-port.ts';
import type { TenantContext } from '../../platform/context.ts';
import { type Database, rows, type Tx } from '../../platform/db.ts';
import { notFound, VigilError } from '../../platform/errors.ts';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export type TrainingRole = (typeof TENANT_ROLES)[number];

export interface Training {
  id: string;
  kind: 'training' | 'policy';
  title: string;
  version: number;
  validityMonths: number;
  requiredRoles: TrainingRole[];
  active: boolean;
}

export interface TrainingInput {
  kind?: 'training' | 'policy';
  title: string;
  validityMonths: number;
  requiredRoles?: TrainingRole[];
}

/** One completion record: the evidence a client security report cites. Ids and dates only. */
export interface TrainingEvidence {
  trainingId: string;
  kind: 'training' | 'policy';
  title: string;
  version: number;
  userId: string;
  completedAt: string;
  expiresAt: string;
  valid: boolean;
}

export interface ExpiringCompletion {
  trainingId: string;
  userId: string;
  expiresAt: string;
}

interface TrainingRow {
  id: string;
  kind: Training['kind'];
  title: string;
  version: number;
  validity_months: number;
  required_roles: TrainingRole[];
  active: boolean;
}
const toTraining = (r: TrainingRow): Training => ({
  id: r.id,
  kind: r.kind,
  title: r.title,
  version: r.version,
  validityMonths: r.validity_months,
  requiredRoles: r.required_roles,
  active: r.active,
});
const COLS = sql.raw('id, kind, title, version, validity_months, required_roles, active');
const iso = (v: Date | string) => new Date(v).toISOString();

/** Adds calendar months (a completion on 31 Jan with 1 month validity runs to 28/29 Feb). */
export function addMonths(d: Date, months: number): Date {
  const out = new Date(d);
  const day = out.getUTCDate();
  out.setUTCDate(1);
  out.setUTCMonth(out.getUTCMonth() + months);
  const last = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate();
  out.setUTCDate(Math.min(day, last));
  return out;
}

/** Ids of the active trainings required of `roles` without a valid completion at `at` (inside the tenant tx). */
export async function missingTrainings(
  tx: Tx,
  userId: string,
  roles: readonly string[],
  at: Date,
): Promise<string[]> {
  if (!roles.length) return [];
  const r = await rows<{ id: string }>(
    tx,
    sql`select t.id from trainings t
        where t.active and t.required_roles && ${pgTextArray(roles)}::text[]
          and not exists (select 1 from training_completions c
                          where c.training_id = t.id and c.user_id = ${userId} and c.version = t.version
                            and c.completed_at <= ${at} and c.expires_at > ${at})
        order by t.created_at`,
  );
  return r.map((x) => x.id);
}

export function createTrainingService(deps: {
  db: Database;
  audit: AuditRecorder;
  clock?: Clock;
  /** Called after a training is defined or changed (the gate's cache). */
  onChange?: (tenantId: string) => void;
  /** Trainings completed only by passing a quiz (src/awareness): no self-acknowledgement. */
  quizBacked?: (tx: Tx, trainingId: string) => Promise<boolean>;
}) {
  const { db, audit } = deps;
  const clock = deps.clock ?? systemClock;

  async function trainingById(tx: Tx, id: string): Promise<TrainingRow> {
    const [t] = await rows<TrainingRow>(tx, sql`select ${COLS} from trainings where id = ${id}`);
    if (!t) throw notFound('training');
    return t;
  }

  return {
    clock,
    list: (tenantId: string): Promise<Training[]> =>
      db.withTenant(tenantId, async (tx) =>
        (await rows<TrainingRow>(tx, sql`select ${COLS} from trainings order by created_at`)).map(toTraining),
      ),

    async define(ctx: TenantContext, t: TrainingInput): Promise<Training> {
      const out = await db.withTenant(ctx.tenant.id, async (tx) => {
        const [r] = await rows<TrainingRow>(
          tx,
          sql`insert into trainings (tenant_id, kind, title, validity_months, required_roles)
              values (${ctx.tenant.id}, ${t.kind ?? 'training'}, ${t.title}, ${t.validityMonths},
                      ${pgTextArray(t.requiredRoles ?? ['agent'])}::text[])
              returning ${COLS}`,
        );
        await audit.inTx(tx, userAction(ctx, 'training.define', 'training', r!.id));
        return toTraining(r!);
      });
      deps.onChange?.(ctx.tenant.id);
      return out;
    },

    /** Changes a training; `newVersion` makes every earlier completion insufficient at once. */
    async update(
      ctx: TenantContext,
      id: string,
      p: {
        title?: string;
        validityMonths?: number;
        requiredRoles?: TrainingRole[];
        active?: boolean;
        newVersion?: boolean;
      },
    ): Promise<Training> {
      const out = await db.withTenant(ctx.tenant.id, async (tx) => {
        await trainingById(tx, id);
        const [r] = await rows<TrainingRow>(
          tx,
          sql`update trainings set
                title = coalesce(${p.title ?? null}, title),
                validity_months = coalesce(${p.validityMonths ?? null}::int, validity_months),
                required_roles = ${p.requiredRoles ? sql`${pgTextArray(p.requiredRoles)}::text[]` : sql`required_roles`},
                active = coalesce(${p.active ?? null}::boolean, active),
                version = version + ${p.newVersion ? 1 : 0}, updated_at = now()
              where id = ${id} returning ${COLS}`,
        );
        await audit.inTx(tx, userAction(ctx, 'training.update', 'training', id, { version: r!.version }));
        return toTraining(r!);
      });
      deps.onChange?.(ctx.tenant.id);
      return out;
    },

    /**
     * Records a completion of the current version. Members record their own (acknowledgement);
     * a tenant admin may record one for a member with the date it happened (classroom training).
     */
    async complete(
      ctx: TenantContext,
      id: string,
      userId: string,
      completedAt?: Date,
      opts: { quizPassed?: boolean } = {},
    ): Promise<TrainingEvidence> {
      const now = clock.now();
      const when = completedAt ?? now;
      if (when > now) throw new VigilError('invalid_input', 'a completion cannot lie in the future');
      return db.withTenant(ctx.tenant.id, async (tx) => {
        const t = await trainingById(tx, id);
        if (!t.active) throw new VigilError('conflict', 'this training is retired');
        if (userId === ctx.actor.id && !opts.quizPassed && (await deps.quizBacked?.(tx, id)))
          throw new VigilError('conflict', 'this training is completed by passing its quiz');
        const [member] = await rows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from memberships where user_id = ${userId} and tenant_id = ${ctx.tenant.id}`,
        );
        if (!member?.n) throw notFound('member');
        const expires = addMonths(when, t.validity_months);
        await tx.execute(
          sql`insert into training_completions (tenant_id, training_id, user_id, version, completed_at, expires_at, recorded_by)
              values (${ctx.tenant.id}, ${id}, ${userId}, ${t.version}, ${when}, ${expires}, ${ctx.actor.id})`,
        );
        await audit.inTx(
          tx,
          userAction(ctx, 'training.complete', 'training', id, {
            subjectUser: userId,
            version: t.version,
            selfRecorded: userId === ctx.actor.id,
          }),
        );
        return {
          trainingId: id,
          kind: t.kind,
          title: t.title,
          version: t.version,
          userId,
          completedAt: when.toISOString(),
          expiresAt: expires.toISOString(),
          valid: expires > now,
        };
      });
    },

    /** The caller's own status per required training (what the agent console shows). */
    mine: (tenantId: string, userId: string, roles: readonly string[]) =>
      db.withTenant(tenantId, async (tx) => {
        const at = clock.now();
        const missing = new Set(await missingTrainings(tx, userId, roles, at));
        const ts = (
          await rows<TrainingRow>(tx, sql`select ${COLS} from trainings where active order by created_at`)
        ).filter((t) => t.required_roles.some((r) => roles.includes(r)));
        const last = await rows<{ training_id: string; expires_at: Date }>(
          tx,
          sql`select c.training_id, max(c.expires_at) as expires_at from training_completions c
              join trainings t on t.id = c.training_id and t.version = c.version
              where c.user_id = ${userId} group by c.training_id`,
        );
        return ts.map((t) => ({
          ...toTraining(t),
          valid: !missing.has(t.id),
          expiresAt: ((e) => (e ? iso(e) : null))(last.find((l) => l.training_id === t.id)?.expires_at),
        }));
      }),

    /** Completions of the current version that expire within `days` (or have expired) and were not renewed. */
    expiring: (tenantId: string, days: number): Promise<ExpiringCompletion[]> =>
      db.withTenant(tenantId, async (tx) => {
        const at = clock.now();
        const until = new Date(at.getTime() + days * 86_400_000);
        return (
          await rows<{ training_id: string; user_id: string; expires_at: Date }>(
            tx,
            sql`select c.training_id, c.user_id, max(c.expires_at) as expires_at
                from training_completions c
                join trainings t on t.id = c.training_id and t.version = c.version and t.active
                join memberships m on m.user_id = c.user_id and m.tenant_id = c.tenant_id
                  and m.role = any(t.required_roles)
                group by c.training_id, c.user_id
                having max(c.expires_at) <= ${until}
                order by 3, 2`,
          )
        ).map((r) => ({ trainingId: r.training_id, userId: r.user_id, expiresAt: iso(r.expires_at) }));
      }),

    /** Completion records of a tenant: evidence for the client security report. */
    evidence: (tenantId: string): Promise<TrainingEvidence[]> => trainingEvidence(db, tenantId, clock.now()),
  };
}

export type TrainingService = ReturnType<typeof createTrainingService>;

/**
 * Completion records of a tenant's trainings and attestations, each marked valid or not at `at`:
 * the evidence a client security report cites (ids, titles, versions and dates; no personal data).
 */
export function trainingEvidence(
  db: Pick<Database, 'withTenant'>,
  tenantId: string,
  at: Date = new Date(),
): Promise<TrainingEvidence[]> {
  return db.withTenant(tenantId, async (tx) =>
    (
      await rows<{
        training_id: string;
        kind: Training['kind'];
        title: string;
        version: number;
        current_version: number;
        user_id: string;
        completed_at: Date;
        expires_at: Date;
      }>(
        tx,
        sql`select c.training_id, t.kind, t.title, c.version, t.version as current_version, c.user_id, c.completed_at, c.expires_at
            from training_completions c join trainings t on t.id = c.training_id
            order by t.created_at, c.user_id, c.completed_at`,
      )
    ).map((r) => ({
      trainingId: r.training_id,
      kind: r.kind,
      title: r.title,
      version: r.version,
      userId: r.user_id,
      completedAt: iso(r.completed_at),
      expiresAt: iso(r.expires_at),
      valid: r.version === r.current_version && new Date(r.expires_at) > at,
    })),
  );
}
