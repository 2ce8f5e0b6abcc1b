// The security report's training section, from the tenant's training definitions and completion
// records (src/identity/access-policy/training.ts): per role, how many active members hold a
// valid completion of the current version of every active training required of that role, how
// many completions have expired without renewal, and how many are overdue (never completed in
// the current version). Counts only.
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';

export interface RoleTraining {
  members: number;
  compliant: number;
  coveragePercent: number;
  expired: number;
  overdue: number;
}

export interface TrainingSection {
  evidence: 'training_completions';
  activeTrainings: number;
  byRole: Record<string, RoleTraining>;
  expired: number;
  overdue: number;
}

const pct = (a: number, b: number) => (b === 0 ? 100 : Math.round((a / b) * 1000) / 10);

export async function trainingSection(tx: Tx, tenantId: string, now: Date): Promise<TrainingSection> {
  const at = now.toISOString();
  const perRole = await rows<{
    role: string;
    members: number;
    not_compliant: number;
    expired: number;
    overdue: number;
  }>(
    tx,
    sql`with req as (
          select t.id, t.version, r.role from trainings t cross join lateral unnest(t.required_roles) as r(role)
          where t.active
        ), mem as (
          select distinct m.user_id, m.role from memberships m join users u on u.id = m.user_id
          where m.tenant_id = ${tenantId} and u.status = 'active'
        ), st as (
          select mem.role, mem.user_id,
            exists (select 1 from training_completions c where c.training_id = req.id and c.user_id = mem.user_id
                    and c.version = req.version and c.completed_at <= ${at}::timestamptz and c.expires_at > ${at}::timestamptz) as valid,
            exists (select 1 from training_completions c where c.training_id = req.id and c.user_id = mem.user_id
                    and c.version = req.version and c.expires_at <= ${at}::timestamptz) as lapsed
          from req join mem on mem.role = req.role
        )
        select role, count(distinct user_id)::int as members,
          count(distinct user_id) filter (where not valid)::int as not_compliant,
          count(*) filter (where not valid and lapsed)::int as expired,
          count(*) filter (where not valid and not lapsed)::int as overdue
        from st group by role order by role`,
  );
  const [active] = await rows<{ n: number }>(tx, sql`select count(*)::int as n from trainings where active`);
  const byRole: Record<string, RoleTraining> = {};
  for (const r of perRole) {
    const compliant = r.members - r.not_compliant;
    byRole[r.role] = {
      members: r.members,
      compliant,
      coveragePercent: pct(compliant, r.members),
      expired: r.expired,
      overdue: r.overdue,
    };
  }
  return {
    evidence: 'training_completions',
    activeTrainings: active?.n ?? 0,
    byRole,
    expired: perRole.reduce((s, r) => s + r.expired, 0),
    overdue: perRole.reduce((s, r) => s + r.overdue, 0),
  };
}
