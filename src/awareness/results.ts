// Who sees which results: the security role individual rows (the read is audited), supervisors
// aggregates per team and tenant only, an agent their own.
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database } from '../platform/db.ts';
import { notFound } from '../platform/errors.ts';
import { iso } from './campaigns.ts';
import { aggregateOnly, figures, individual, perTeam } from './measures.ts';
import * as store from './store.ts';

export function createResultsService(deps: { db: Database; audit: AuditRecorder }) {
  const { db, audit } = deps;
  return {
    /** Security role: figures and each recipient by name. */
    async campaignResults(ctx: TenantContext, id: string) {
      return db.withTenant(ctx.tenant.id, async (tx) => {
        const c = await store.selectCampaign(tx, id);
        if (!c) throw notFound('campaign');
        const rs = await store.selectResults(tx, id);
        await audit.inTx(
          tx,
          userAction(ctx, 'awareness.results.read', 'phish_campaign', id, { individuals: rs.length }),
        );
        return {
          campaignId: id,
          state: c.state,
          figures: figures(rs),
          teams: perTeam(rs),
          recipients: rs.map(individual),
        };
      });
    },

    /** Supervisors: every campaign in aggregate, never below the minimum group size. */
    async measures(ctx: TenantContext) {
      return db.withTenant(ctx.tenant.id, async (tx) => {
        const out = [];
        for (const c of await store.selectCampaigns(tx)) {
          if (c.state === 'draft') continue;
          const rs = await store.selectResults(tx, c.id);
          out.push({
            campaignId: c.id,
            name: c.name,
            template: c.template,
            launchedAt: c.launched_at ? iso(c.launched_at) : null,
            ...aggregateOnly(rs),
          });
        }
        await audit.inTx(
          tx,
          userAction(ctx, 'awareness.measures.read', 'phish_campaign', null, { campaigns: out.length }),
        );
        return { campaigns: out };
      });
    },

    /** The caller's own simulation history. */
    mine: (ctx: TenantContext) =>
      db.withTenant(ctx.tenant.id, async (tx) => {
        const byCampaign = new Map<
          string,
          { campaignId: string; name: string; template: string; events: Record<string, string> }
        >();
        for (const e of await store.selectOwnResults(tx, ctx.actor.id!)) {
          const c = byCampaign.get(e.campaign_id) ?? {
            campaignId: e.campaign_id,
            name: e.name,
            template: e.template,
            events: {},
          };
          c.events[e.kind] = iso(e.at);
          byCampaign.set(e.campaign_id, c);
        }
        return [...byCampaign.values()];
      }),
  };
}

export type ResultsService = ReturnType<typeof createResultsService>;
