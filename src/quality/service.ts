// Quality reviews: tenant scorecards, sampling of conversations into a reviewer's queue, scoring
// on a pseudonymised view, reveal of the real conversation with a reason, agent feedback and
// disputes, trends. Reviewers are supervisors; a review is visible to its reviewer (and, once
// scored, to the agent it concerns). Anything else is 404. Every read and change is audited.
import { randomInt } from 'node:crypto';
import { meaningfulReason, sanitizeReason } from '../conversations/index.ts';
import type { Keyring } from '../crypto/index.ts';
import { auditBase } from '../ingest/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database, Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import * as csatStore from './csat-store.ts';
import { type ConversationView, pseudonymiseView } from './pseudonymise.ts';
import { type Criterion, type Scores, scoreReview, validateCriteria } from './scoring.ts';
import * as store from './store.ts';

export interface QualityConversationPort {
  get(ctx: TenantContext, id: string): Promise<ConversationView>;
  list(
    ctx: TenantContext,
    q: { queue?: string; status?: string; cursor?: string; limit?: number },
  ): Promise<{
    items: Array<{ id: string; queueId: string | null; assigneeId: string | null }>;
    nextCursor: string | null;
  }>;
}

export interface QualityDeps {
  db: Pick<Database, 'withTenant'>;
  keyring: Pick<Keyring, 'blindIndex'>;
  audit: AuditRecorder;
  conversations: QualityConversationPort;
}

type Meta = Record<string, string | number | boolean | null>;
const MAX_CANDIDATES = 500;

export const uid = (ctx: TenantContext) => {
  if (ctx.actor.type !== 'user' || !ctx.actor.id) throw new VigilError('forbidden', 'users only');
  return ctx.actor.id;
};

export const reviewNotFound = () => new VigilError('not_found', 'review not found');

export function createQualityCore(deps: QualityDeps) {
  const { db, keyring, audit } = deps;
  const event = (ctx: TenantContext, action: string, type: string, id: string | null, meta: Meta = {}) => ({
    ...auditBase(ctx),
    action,
    resourceType: type,
    resourceId: id,
    outcome: 'success' as const,
    meta,
  });
  const pseudonymFor = (tx: Tx, tenantId: string) => async (kind: string, id: string) =>
    `${kind}_${(await keyring.blindIndex(tenantId, 'customer_number', `qa${kind}${id.replace(/-/g, '')}`, tx)).toString('hex').slice(0, 16)}`;
  /** Reason for a reveal or dispute, PII redacted and bounded for the audit log and the table. */
  const reasonText = async (reason: string) => sanitizeReason(meaningfulReason(reason));
  return { db, audit, event, pseudonymFor, reasonText, conversations: deps.conversations };
}
export type QualityCore = ReturnType<typeof createQualityCore>;

export function createQualityService(deps: QualityDeps) {
  const core = createQualityCore(deps);
  const { db, audit, event } = core;

  async function setSettings(ctx: TenantContext, body: { blindReview: boolean }) {
    await db.withTenant(ctx.tenant.id, async (tx) => {
      await store.setBlindReview(tx, ctx.tenant.id, body.blindReview);
      await audit.inTx(
        tx,
        event(ctx, 'quality.settings.update', 'tenant', ctx.tenant.id, { blind: body.blindReview }),
      );
    });
    return body;
  }

  const settings = (ctx: TenantContext) =>
    db.withTenant(ctx.tenant.id, async (tx) => ({ blindReview: await store.blindReview(tx) }));

  async function createScorecard(ctx: TenantContext, body: { name: string; criteria: Criterion[] }) {
    const criteria = validateCriteria(body.criteria);
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const s = await store.insertScorecard(tx, {
        tenantId: ctx.tenant.id,
        name: body.name,
        criteria,
        createdBy: uid(ctx),
      });
      await audit.inTx(
        tx,
        event(ctx, 'quality.scorecard.create', 'scorecard', s.id, { criteria: criteria.length }),
      );
      return {
        id: s.id,
        name: s.name,
        criteria: s.criteria,
        createdAt: new Date(s.created_at).toISOString(),
      };
    });
  }

  const listScorecards = (ctx: TenantContext) =>
    db.withTenant(ctx.tenant.id, async (tx) => ({
      items: (await store.listScorecards(tx)).map((s) => ({ id: s.id, name: s.name, criteria: s.criteria })),
    }));

  /** Candidates through the conversation service (its scope rules apply), newest first. */
  async function candidates(ctx: TenantContext, queueId: string | undefined) {
    const out: Array<{ id: string; queueId: string | null; assigneeId: string | null }> = [];
    let cursor: string | undefined;
    do {
      const page = await core.conversations.list(ctx, {
        ...(queueId ? { queue: queueId } : {}),
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && out.length < MAX_CANDIDATES);
    return out;
  }

  /** Conversations whose customer rated them at most maxScore (1..5), of one queue if given. */
  const lowSatisfaction = (ctx: TenantContext, maxScore: number, queueId: string | undefined) =>
    db.withTenant(ctx.tenant.id, async (tx) =>
      (
        await csatStore.lowSatisfaction(tx, {
          maxScore,
          limit: MAX_CANDIDATES,
          ...(queueId ? { queueId } : {}),
        })
      ).map((r) => ({ id: r.conversation_id, queueId: r.queue_id, assigneeId: r.agent_id })),
    );

  /**
   * Random sample of conversations this scorecard has not reviewed yet: of all, of one queue,
   * or of those the customer rated at most `maxSatisfaction` (low satisfaction first in line).
   */
  async function sample(
    ctx: TenantContext,
    body: { scorecardId: string; size: number; queueId?: string; maxSatisfaction?: number },
  ) {
    const reviewerId = uid(ctx);
    const pool =
      body.maxSatisfaction === undefined
        ? await candidates(ctx, body.queueId)
        : await lowSatisfaction(ctx, body.maxSatisfaction, body.queueId);
    return db.withTenant(ctx.tenant.id, async (tx) => {
      if (!(await store.scorecard(tx, body.scorecardId)))
        throw new VigilError('not_found', 'scorecard not found');
      const done = await store.reviewedConversations(tx, body.scorecardId);
      const open = pool.filter((c) => !done.has(c.id));
      const ids: string[] = [];
      while (open.length && ids.length < body.size) {
        const [c] = open.splice(randomInt(open.length), 1);
        const id = await store.insertReview(tx, {
          tenantId: ctx.tenant.id,
          scorecardId: body.scorecardId,
          conversationId: c!.id,
          agentId: c!.assigneeId,
          queueId: c!.queueId,
          reviewerId,
        });
        if (id) ids.push(id);
      }
      await audit.inTx(
        tx,
        event(ctx, 'quality.sample', 'scorecard', body.scorecardId, {
          reviews: ids.length,
          byQueue: !!body.queueId,
          bySatisfaction: body.maxSatisfaction ?? null,
        }),
      );
      return { reviews: ids };
    });
  }

  async function myReviews(ctx: TenantContext) {
    const reviewerId = uid(ctx);
    const items = await db.withTenant(ctx.tenant.id, (tx) => store.listReviews(tx, { reviewerId }));
    return { items: items.map((r) => summary(r)) };
  }

  /** Loads a review of the caller (reviewer); anything else is 404. */
  async function ownReview(tx: Tx, ctx: TenantContext, id: string, forUpdate = false) {
    const r = await store.review(tx, id, forUpdate);
    if (!r || r.reviewer_id !== uid(ctx)) throw reviewNotFound();
    return r;
  }

  async function conversationView(ctx: TenantContext, reviewId: string) {
    const r = await db.withTenant(ctx.tenant.id, (tx) => ownReview(tx, ctx, reviewId));
    const view = await core.conversations.get(ctx, r.conversation_id);
    const out = await db.withTenant(ctx.tenant.id, async (tx) =>
      pseudonymiseView(view, {
        blind: await store.blindReview(tx),
        pseudonym: core.pseudonymFor(tx, ctx.tenant.id),
      }),
    );
    await audit.standalone(
      event(ctx, 'quality.review.read', 'quality_review', reviewId, { messages: out.messages.length }),
    );
    return { reviewId, ...out };
  }

  /** The real conversation (agent names, revealable tokens), only with a reason; audited first. */
  async function reveal(ctx: TenantContext, reviewId: string, reason: string) {
    const safe = await core.reasonText(reason);
    const r = await db.withTenant(ctx.tenant.id, (tx) => ownReview(tx, ctx, reviewId));
    const view = await core.conversations.get(ctx, r.conversation_id);
    await audit.standalone({
      ...event(ctx, 'quality.reveal', 'conversation', r.conversation_id, { reviewId }),
      reason: safe,
    });
    return { reviewId, conversation: view };
  }

  async function score(ctx: TenantContext, reviewId: string, body: { scores: Scores; comment?: string }) {
    const comment = body.comment
      ? (await sanitizeReason(body.comment.replace(/\s+/g, ' '))).slice(0, 2000)
      : null;
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const r = await ownReview(tx, ctx, reviewId, true);
      if (r.status === 'disputed' || r.status === 'resolved')
        throw new VigilError('review_closed', 'the review is closed');
      const card = await store.scorecard(tx, r.scorecard_id);
      const { total, autoFailed } = scoreReview(card!.criteria, body.scores);
      await store.saveScores(tx, reviewId, { scores: body.scores, total, autoFailed, comment });
      await audit.inTx(
        tx,
        event(ctx, 'quality.review.score', 'quality_review', reviewId, { total, autoFailed }),
      );
      return { reviewId, status: 'scored', total, autoFailed, comment };
    });
  }

  return {
    settings,
    setSettings,
    createScorecard,
    listScorecards,
    sample,
    myReviews,
    conversationView,
    reveal,
    score,
    core,
  };
}

export function summary(r: store.ReviewRow, opts: { reviewer?: boolean } = { reviewer: true }) {
  return {
    id: r.id,
    scorecardId: r.scorecard_id,
    calibrationId: r.calibration_id,
    status: r.status,
    scores: r.scores,
    total: r.total === null ? null : Number(r.total),
    autoFailed: r.auto_failed,
    comment: r.comment,
    disputeReason: r.dispute_reason,
    resolution: r.resolution,
    createdAt: new Date(r.created_at).toISOString(),
    scoredAt: r.scored_at ? new Date(r.scored_at).toISOString() : null,
    ...(opts.reviewer ? { reviewerId: r.reviewer_id } : {}),
  };
}

export type QualityService = ReturnType<typeof createQualityService>;
