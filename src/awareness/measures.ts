// Measures of a campaign: click, submit and report rates and the time to the first report, for the
// tenant and per team (queue). Supervisors get aggregates only, and no group smaller than
// MIN_GROUP (works-council rule: nobody is singled out); the security role and the agent see
// individual results.
import type { ResultRow } from './store.ts';

export const MIN_GROUP = 5;

export interface Figures {
  recipients: number;
  sent: number;
  opened: number;
  clicked: number;
  submitted: number;
  reported: number;
  clickRate: number | null;
  submitRate: number | null;
  reportRate: number | null;
  /** Seconds from the first mail sent to the first report. */
  secondsToFirstReport: number | null;
}

const ms = (v: Date | string | null) => (v ? new Date(v).getTime() : null);
const rate = (n: number, of: number) => (of ? Math.round((n * 1000) / of) / 1000 : null);

export function figures(rs: ResultRow[]): Figures {
  const count = (k: keyof ResultRow) => rs.filter((r) => r[k]).length;
  const sent = count('sent_at');
  const firstSent = Math.min(...rs.map((r) => ms(r.sent_at) ?? Number.POSITIVE_INFINITY));
  const firstReport = Math.min(...rs.map((r) => ms(r.reported_at) ?? Number.POSITIVE_INFINITY));
  const clicked = count('clicked_at');
  const submitted = count('submitted_at');
  const reported = count('reported_at');
  return {
    recipients: rs.length,
    sent,
    opened: count('opened_at'),
    clicked,
    submitted,
    reported,
    clickRate: rate(clicked, sent),
    submitRate: rate(submitted, sent),
    reportRate: rate(reported, sent),
    secondsToFirstReport:
      Number.isFinite(firstSent) && Number.isFinite(firstReport)
        ? Math.max(0, Math.round((firstReport - firstSent) / 1000))
        : null,
  };
}

export type GroupFigures =
  | { team: string | null; suppressed: true; minGroup: number }
  | ({ team: string | null; suppressed: false } & Figures);

/** Per team; a team below MIN_GROUP is reported as suppressed, without any figure. */
export function perTeam(rs: ResultRow[]): GroupFigures[] {
  const teams = new Map<string | null, ResultRow[]>();
  for (const r of rs) teams.set(r.queue_id, [...(teams.get(r.queue_id) ?? []), r]);
  return [...teams.entries()].map(([team, group]) =>
    group.length < MIN_GROUP
      ? { team, suppressed: true, minGroup: MIN_GROUP }
      : { team, suppressed: false, ...figures(group) },
  );
}

/** What a supervisor sees of one campaign. */
export function aggregateOnly(rs: ResultRow[]) {
  const total: GroupFigures =
    rs.length < MIN_GROUP
      ? { team: null, suppressed: true, minGroup: MIN_GROUP }
      : { team: null, suppressed: false, ...figures(rs) };
  return { tenant: total, teams: perTeam(rs) };
}

const isoOrNull = (v: Date | string | null) => (v ? new Date(v).toISOString() : null);

/** Individual rows (security role, or the agent's own). */
export const individual = (r: ResultRow) => ({
  userId: r.user_id,
  displayName: r.display_name,
  team: r.queue_id,
  sentAt: isoOrNull(r.sent_at),
  openedAt: isoOrNull(r.opened_at),
  clickedAt: isoOrNull(r.clicked_at),
  submittedAt: isoOrNull(r.submitted_at),
  reportedAt: isoOrNull(r.reported_at),
});
