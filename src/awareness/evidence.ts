// The client security report's awareness section (ISO/IEC 27001:2022 A.6.3): the latest
// campaigns' figures, reported mails and refreshers, in aggregate only (inside the caller's
// tenant transaction; no names, no ids of people).
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';
import { aggregateOnly } from './measures.ts';
import * as store from './store.ts';

export async function awarenessSection(tx: Tx) {
  const launched = (await store.selectCampaigns(tx)).filter((c) => c.state !== 'draft').slice(0, 5);
  const campaigns = [];
  for (const c of launched)
    campaigns.push({
      name: c.name,
      template: c.template,
      launchedAt: c.launched_at ? new Date(c.launched_at).toISOString() : null,
      ...aggregateOnly(await store.selectResults(tx, c.id)).tenant,
    });
  const [reports] = await rows<{ simulation: number; suspicious: number }>(
    tx,
    sql`select count(*) filter (where verdict = 'simulation')::int as simulation,
          count(*) filter (where verdict = 'suspicious')::int as suspicious
        from phish_reports where created_at > now() - interval '365 days'`,
  );
  const [refreshers] = await rows<{ assigned: number; completed: number; overdue: number }>(
    tx,
    sql`select count(*)::int as assigned, count(completed_at)::int as completed,
          count(*) filter (where completed_at is null and due_at < now())::int as overdue
        from awareness_assignments`,
  );
  return {
    evidence: 'phishing_simulations' as const,
    campaigns,
    reportsLastYear: reports!,
    refreshers: refreshers!,
  };
}

export type AwarenessSection = Awaited<ReturnType<typeof awarenessSection>>;
