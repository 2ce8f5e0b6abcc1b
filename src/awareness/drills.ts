// Social-engineering drills (issue 27 item 4): the security role launches a simulated chat into an
// agent's queue through the real ingest path; nothing in the conversation says it is a drill. The
// score is read from the audit log of that conversation, not from what the agent says about it:
// caller verification before any disclosing reply passes, a reveal or a reply in which the PII
// engine found personal data (before a passed verification) fails, a reply without any passes as
// a refusal, silence until the deadline is no_response.
import type { Ingest } from '../ingest/index.ts';
import { systemContext } from '../ingest/index.ts';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database, Tx } from '../platform/db.ts';
import { notFound, VigilError } from '../platform/errors.ts';
import { iso } from './campaigns.ts';
import { DRILL_SCRIPTS, type DrillScenario } from './drill-scenarios.ts';
import * as ds from './drill-store.ts';
import { MIN_GROUP } from './measures.ts';
import type { Language } from './templates.ts';

/** What scoring needs of an audit event (the audit log's own shape, narrowed). */
export interface DrillAuditEvent {
  seq: number;
  actorId: string | null;
  action: string;
  outcome: string;
  meta: Record<string, unknown> | null;
}
export interface DrillAuditReader {
  listEvents(
    tx: Tx,
    f: { resourceType: string; resourceId: string; limit: number },
  ): Promise<{ events: DrillAuditEvent[] }>;
}

export interface DrillDeps {
  db: Database;
  audit: AuditRecorder;
  /** The contact center's ingest pipeline; without it (no contact center) drills are refused. */
  ingest: Pick<Ingest, 'ingestInTx' | 'publish'> | undefined;
  auditLog: DrillAuditReader;
  assignRefresher(tenantId: string, userId: string, drillId: string, language: Language): Promise<void>;
}

export interface DrillInput {
  agentId: string;
  queueId: string;
  scenario: DrillScenario;
  language: Language;
  /** Minutes until a drill without any reaction scores as no_response. */
  timeoutMinutes?: number;
}

export type DrillVerdict = { result: ds.DrillResult; rule: string } | null;

const VERIFICATION_STARTED = new Set(['verification.attempt', 'verification.code.sent']);
const REPLY = new Set(['conversation.reply', 'message.send']);

/** The verdict from the agent's audit trail on the conversation, oldest first; null: nothing yet. */
export function verdictOf(events: DrillAuditEvent[], agentId: string): DrillVerdict {
  let verified = false;
  let started = false;
  let refused = false;
  for (const e of events) {
    if (e.actorId !== agentId) continue;
    if (VERIFICATION_STARTED.has(e.action)) started = true;
    else if (e.action === 'verification.verified' && e.outcome === 'success') verified = started = true;
    else if (e.action === 'value.reveal' && e.outcome === 'success' && !verified)
      return { result: 'failed', rule: 'revealed_before_verification' };
    else if (REPLY.has(e.action)) {
      const findings = Number(e.meta?.findings ?? 0);
      if (findings > 0 && !verified) return { result: 'failed', rule: 'disclosed_before_verification' };
      if (findings === 0 && !started) refused = true;
    }
  }
  if (started) return { result: 'passed', rule: verified ? 'verified_first' : 'verification_started' };
  if (refused) return { result: 'passed', rule: 'refused_without_disclosure' };
  return null;
}

const view = (d: ds.DrillRow) => ({
  id: d.id,
  agentId: d.agent_id,
  queueId: d.queue_id,
  scenario: d.scenario,
  language: d.language,
  conversationId: d.conversation_id,
  launchedAt: iso(d.launched_at),
  dueAt: iso(d.due_at),
  result: d.result,
  rule: d.rule,
  scoredAt: d.scored_at ? iso(d.scored_at) : null,
});

export function createDrillService(deps: DrillDeps) {
  const { db, audit } = deps;

  async function launch(ctx: TenantContext, input: DrillInput) {
    const ingest = deps.ingest;
    if (!ingest) throw new VigilError('conflict', 'drills need the contact center');
    const script = DRILL_SCRIPTS[input.scenario][input.language];
    const dueAt = new Date(Date.now() + (input.timeoutMinutes ?? 60) * 60_000);
    const visitor = systemContext(ctx.tenant, { actor: { type: 'visitor', id: null } });
    const { drill, r } = await db.withTenant(ctx.tenant.id, async (tx) => {
      if (!(await ds.isQueueMember(tx, input.queueId, input.agentId))) throw notFound('queue member');
      const drill = await ds.insertDrill(tx, {
        tenantId: ctx.tenant.id,
        ...input,
        dueAt,
        createdBy: ctx.actor.id,
      });
      // The way a widget chat arrives: an inbound visitor message opening a conversation.
      const r = await ingest.ingestInTx(tx, visitor, {
        channel: 'chat',
        direction: 'inbound',
        author: { type: 'visitor', id: null },
        text: script.opening,
        lang: input.language,
        newConversation: {
          channel: 'chat',
          customer: { name: script.persona, language: input.language },
          queueId: input.queueId,
        },
      });
      await ds.setDrillConversation(tx, drill.id, r.conversationId);
      await audit.inTx(
        tx,
        userAction(ctx, 'awareness.drill.launch', 'awareness_drill', drill.id, { scenario: input.scenario }),
      );
      return { drill: { ...drill, conversation_id: r.conversationId }, r };
    });
    ingest.publish(visitor, r);
    return view(drill);
  }

  /** Scores once: from the audit trail, or no_response after the deadline; 409 while undecided. */
  async function score(ctx: TenantContext, id: string) {
    const { scored, failedAgent } = await db.withTenant(ctx.tenant.id, async (tx) => {
      const d = await ds.selectDrill(tx, id, true);
      if (!d) throw notFound('drill');
      if (d.result) return { scored: d, failedAgent: null };
      const { events } = d.conversation_id
        ? await deps.auditLog.listEvents(tx, {
            resourceType: 'conversation',
            resourceId: d.conversation_id,
            limit: 1000,
          })
        : { events: [] };
      const oldestFirst = [...events].sort((a, b) => a.seq - b.seq);
      const verdict =
        verdictOf(oldestFirst, d.agent_id) ??
        (new Date(d.due_at) <= new Date() ? { result: 'no_response' as const, rule: 'timeout' } : null);
      if (!verdict) throw new VigilError('conflict', 'the agent has not reacted yet');
      await ds.scoreDrill(tx, id, verdict.result, verdict.rule);
      await audit.inTx(tx, userAction(ctx, 'awareness.drill.score', 'awareness_drill', id, verdict));
      const scoredRow = { ...d, ...verdict, scored_at: new Date() };
      return { scored: scoredRow, failedAgent: verdict.result === 'failed' ? d.agent_id : null };
    });
    if (failedAgent) await deps.assignRefresher(ctx.tenant.id, failedAgent, id, scored.language);
    return view(scored);
  }

  /** Security role: every drill by name (an audited read of individual results). */
  const list = (ctx: TenantContext) =>
    db.withTenant(ctx.tenant.id, async (tx) => {
      const all = await ds.selectDrills(tx);
      await audit.inTx(
        tx,
        userAction(ctx, 'awareness.drill.results.read', 'awareness_drill', null, { individuals: all.length }),
      );
      return { drills: all.map((d) => ({ ...view(d), displayName: d.display_name })) };
    });

  /** Supervisors: scored drills per team and tenant, no group below MIN_GROUP. */
  const measures = (ctx: TenantContext) =>
    db.withTenant(ctx.tenant.id, async (tx) => {
      const scored = (await ds.selectDrills(tx)).filter((d) => d.result);
      const teams = new Map<string | null, ds.DrillRow[]>();
      for (const d of scored) teams.set(d.queue_id, [...(teams.get(d.queue_id) ?? []), d]);
      await audit.inTx(
        tx,
        userAction(ctx, 'awareness.drill.measures.read', 'awareness_drill', null, { drills: scored.length }),
      );
      return {
        tenant: aggregate(null, scored),
        teams: [...teams.entries()].map(([team, ds_]) => aggregate(team, ds_)),
      };
    });

  /** The agent's own scored drills. */
  const mine = (ctx: TenantContext) =>
    db.withTenant(ctx.tenant.id, async (tx) =>
      (await ds.selectOwnDrills(tx, ctx.actor.id!)).map((d) => ({
        id: d.id,
        scenario: d.scenario,
        launchedAt: iso(d.launched_at),
        result: d.result,
        rule: d.rule,
      })),
    );

  return { launch, score, list, measures, mine };
}

function aggregate(team: string | null, group: ds.DrillRow[]) {
  if (group.length < MIN_GROUP) return { team, suppressed: true as const, minGroup: MIN_GROUP };
  const n = (r: ds.DrillResult) => group.filter((d) => d.result === r).length;
  const passed = n('passed');
  return {
    team,
    suppressed: false as const,
    drills: group.length,
    passed,
    failed: n('failed'),
    noResponse: n('no_response'),
    passRate: Math.round((passed * 1000) / group.length) / 1000,
  };
}

export type DrillService = ReturnType<typeof createDrillService>;
