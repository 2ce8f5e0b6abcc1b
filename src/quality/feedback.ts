// Calibration (several reviewers score one conversation; the spread of their totals is shown),
// agent feedback and disputes with a supervisor's resolution, and trends per agent or queue.
import type { TenantContext } from '../platform/context.ts';
import { VigilError } from '../platform/errors.ts';
import { type Scores, scoreReview, spread } from './scoring.ts';
import { type QualityCore, reviewNotFound, summary, uid } from './service.ts';
import * as store from './store.ts';

export function createQualityFeedback(core: QualityCore) {
  const { db, audit, event } = core;

  async function calibrate(
    ctx: TenantContext,
    body: { scorecardId: string; conversationId: string; reviewerIds: string[] },
  ) {
    const reviewers = [...new Set(body.reviewerIds)];
    if (reviewers.length < 2)
      throw new VigilError('invalid_input', 'a calibration needs at least two reviewers');
    // Opening through the conversation service decides visibility (404 across tenants) and audits it.
    const c = await core.conversations.get(ctx, body.conversationId);
    return db.withTenant(ctx.tenant.id, async (tx) => {
      if (!(await store.scorecard(tx, body.scorecardId)))
        throw new VigilError('not_found', 'scorecard not found');
      for (const r of reviewers)
        if (!(await store.isReviewerMember(tx, ctx.tenant.id, r)))
          throw new VigilError('invalid_input', 'every reviewer must be a supervisor of the tenant');
      const tenantId = ctx.tenant.id;
      const calibrationId = await store.insertCalibration(tx, { tenantId, ...body, createdBy: uid(ctx) });
      const reviews: string[] = [];
      for (const reviewerId of reviewers) {
        const id = await store.insertReview(tx, {
          tenantId,
          scorecardId: body.scorecardId,
          conversationId: c.id,
          agentId: c.assigneeId,
          queueId: c.queueId,
          reviewerId,
          calibrationId,
        });
        if (id) reviews.push(id);
      }
      await audit.inTx(
        tx,
        event(ctx, 'quality.calibration.create', 'quality_calibration', calibrationId, {
          reviewers: reviews.length,
        }),
      );
      return { calibrationId, reviews };
    });
  }

  async function calibration(ctx: TenantContext, id: string) {
    const out = await db.withTenant(ctx.tenant.id, async (tx) => {
      if (!(await store.calibrationExists(tx, id)))
        throw new VigilError('not_found', 'calibration not found');
      const reviews = await store.listReviews(tx, { calibrationId: id });
      const scored = reviews.filter((r) => r.total !== null);
      const keys = new Set(scored.flatMap((r) => Object.keys(r.scores ?? {})));
      const byCriterion = Object.fromEntries(
        [...keys].map((k) => [
          k,
          spread(scored.map((r) => r.scores?.[k]).filter((x): x is number => x !== undefined)),
        ]),
      );
      return {
        calibrationId: id,
        reviews: reviews.map((r) => ({
          reviewerId: r.reviewer_id,
          status: r.status,
          total: r.total === null ? null : Number(r.total),
          autoFailed: r.auto_failed,
        })),
        spread: spread(scored.map((r) => Number(r.total))),
        byCriterion,
      };
    });
    await audit.standalone(
      event(ctx, 'quality.calibration.read', 'quality_calibration', id, { reviews: out.reviews.length }),
    );
    return out;
  }

  /** The caller's own scored reviews (as the agent reviewed); reviewers are not named. */
  async function myFeedback(ctx: TenantContext) {
    const agentId = uid(ctx);
    const items = await db.withTenant(ctx.tenant.id, (tx) => store.listReviews(tx, { agentId }));
    const own = items.filter((r) => r.calibration_id === null).map((r) => summary(r, { reviewer: false }));
    await audit.standalone(event(ctx, 'quality.feedback.read', 'user', agentId, { reviews: own.length }));
    return { items: own };
  }

  async function dispute(ctx: TenantContext, reviewId: string, reason: string) {
    const safe = await core.reasonText(reason);
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const r = await store.review(tx, reviewId, true);
      if (!r || r.agent_id !== uid(ctx) || r.calibration_id !== null || r.status === 'assigned')
        throw reviewNotFound();
      if (r.status !== 'scored')
        throw new VigilError('review_closed', 'the review is already disputed or resolved');
      await store.markDisputed(tx, reviewId, safe);
      await audit.inTx(tx, {
        ...event(ctx, 'quality.review.dispute', 'quality_review', reviewId),
        reason: safe,
      });
      return { reviewId, status: 'disputed' };
    });
  }

  /** A supervisor other than the reviewer settles a dispute, optionally with corrected scores. */
  async function resolve(
    ctx: TenantContext,
    reviewId: string,
    body: { resolution: string; scores?: Scores },
  ) {
    const safe = await core.reasonText(body.resolution);
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const r = await store.review(tx, reviewId, true);
      if (!r) throw reviewNotFound();
      if (r.status !== 'disputed') throw new VigilError('review_closed', 'the review is not disputed');
      if (r.reviewer_id === uid(ctx))
        throw new VigilError('four_eyes_required', 'another supervisor resolves the dispute');
      let total = r.total === null ? null : Number(r.total);
      if (body.scores) {
        const card = await store.scorecard(tx, r.scorecard_id);
        const s = scoreReview(card!.criteria, body.scores);
        await store.saveScores(tx, reviewId, { scores: body.scores, ...s, comment: r.comment });
        total = s.total;
      }
      await store.markResolved(tx, reviewId, safe);
      await audit.inTx(tx, {
        ...event(ctx, 'quality.review.resolve', 'quality_review', reviewId, { rescored: !!body.scores }),
        reason: safe,
      });
      return { reviewId, status: 'resolved', total };
    });
  }

  async function trends(ctx: TenantContext, q: { by: 'agent' | 'queue'; days: number }) {
    const since = new Date(Date.now() - q.days * 86_400_000).toISOString();
    const list = await db.withTenant(ctx.tenant.id, (tx) => store.trends(tx, q.by, since));
    const groups = new Map<
      string,
      Array<{ week: string; reviews: number; average: number | null; autoFailed: number }>
    >();
    for (const t of list) {
      const key = t.key ?? 'none';
      groups.set(key, [
        ...(groups.get(key) ?? []),
        { week: t.week, reviews: t.reviews, average: t.average, autoFailed: t.auto_failed },
      ]);
    }
    await audit.standalone(
      event(ctx, 'quality.trends.read', 'tenant', ctx.tenant.id, { by: q.by, days: q.days }),
    );
    return { by: q.by, days: q.days, items: [...groups].map(([key, weeks]) => ({ key, weeks })) };
  }

  return { calibrate, calibration, myFeedback, dispute, resolve, trends };
}

export type QualityFeedback = ReturnType<typeof createQualityFeedback>;
