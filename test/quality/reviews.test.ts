// Quality reviews on a real Vigil and database: a supervisor samples a conversation of a queue,
// sees it pseudonymised (no customer identifier, agent hidden under blind review), reveals it only
// with a reason (audited), scores it with an auto-fail item; two reviewers calibrate (spread);
// the agent reads the feedback and disputes; another supervisor resolves; trends per agent/queue.
// Agents cannot review; other tenants and other reviewers get 404.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/ingest/index.ts';
import { auditCount, slugs, startWorld, type World } from '../conversations/fixture.ts';
import type { Session, TestUser } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

const NAME = 'Erika Mustermann';
const EMAIL = 'erika.mustermann@example.org';
const PHONE = '0170 1234567';
const CRITERIA = [
  { key: 'greeting', label: 'Greeting', weight: 1, autoFail: false },
  { key: 'resolution', label: 'Resolution', weight: 3, autoFail: false },
  { key: 'verified_first', label: 'No data before verification', weight: 0, autoFail: true },
];

describe(`quality reviews (${testDbKind})`, () => {
  let w: World;
  let sup2: TestUser;
  let s2: Session;
  let supB: Session;
  let conversationId: string;
  let customerId: string;
  let scorecardId: string;
  let reviewId: string;
  const q = () => `/api/v1/tenants/${slugs(w).slugA}/quality`;

  beforeAll(async () => {
    w = await startWorld();
    sup2 = await w.v.makeUser([{ role: 'supervisor', tenant: slugs(w).slugA }]);
    s2 = await w.v.login(sup2);
    supB = await w.v.login(await w.v.makeUser([{ role: 'supervisor', tenant: slugs(w).slugB }]));
    const r = await w.v.app.contact!.ingest.ingestMessage(
      systemContext({ id: w.a, slug: slugs(w).slugA, name: 'a' }),
      {
        channel: 'chat',
        direction: 'inbound',
        author: { type: 'visitor', id: null },
        text: `Hallo, ich bin ${NAME}, ${EMAIL}, Telefon ${PHONE}. Meine Rechnung ist falsch.`,
        idempotencyKey: `t:${randomUUID()}`,
        newConversation: { channel: 'chat', customer: { name: NAME }, queueId: w.queueA1 },
      },
    );
    conversationId = r.conversationId;
    customerId = r.customerId;
    const conv = `/api/v1/tenants/${slugs(w).slugA}/conversations/${conversationId}`;
    expect((await w.v.call('POST', `${conv}/assign`, { userId: w.agentA1.id }, w.s.supA)).status).toBe(200);
    expect(
      (
        await w.v.call(
          'POST',
          `${conv}/messages`,
          { text: 'Guten Tag, ich prüfe die Rechnung.' },
          w.s.agentA1,
        )
      ).status,
    ).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await w?.v.close();
  });

  it('agents cannot define scorecards or review (deny by default)', async () => {
    const r = await w.v.call('POST', `${q()}/scorecards`, { name: 'x', criteria: CRITERIA }, w.s.agentA1);
    expect(r.status).toBe(403);
    expect((await w.v.call('GET', `${q()}/reviews`, undefined, w.s.agentA1)).status).toBe(403);
  });

  it('a supervisor defines a scorecard, enables blind review and samples the queue', async () => {
    const bad = await w.v.call('POST', `${q()}/scorecards`, { name: 'x', criteria: [CRITERIA[2]] }, w.s.supA);
    expect(bad.status).toBe(400);
    const card = await w.v.call(
      'POST',
      `${q()}/scorecards`,
      { name: 'Chat quality', criteria: CRITERIA },
      w.s.supA,
    );
    expect(card.status).toBe(200);
    scorecardId = card.json.id;
    expect((await w.v.call('PUT', `${q()}/settings`, { blindReview: true }, w.s.supA)).json).toEqual({
      blindReview: true,
    });
    const s = await w.v.call(
      'POST',
      `${q()}/samples`,
      { scorecardId, size: 5, queueId: w.queueA1 },
      w.s.supA,
    );
    expect(s.status).toBe(200);
    expect(s.json.reviews).toHaveLength(1);
    reviewId = s.json.reviews[0];
    const again = await w.v.call(
      'POST',
      `${q()}/samples`,
      { scorecardId, size: 5, queueId: w.queueA1 },
      w.s.supA,
    );
    expect(again.json.reviews).toHaveLength(0);
  });

  it('the reviewer sees a pseudonymised conversation: no customer identifier, no agent', async () => {
    const r = await w.v.call('GET', `${q()}/reviews/${reviewId}/conversation`, undefined, w.s.supA);
    expect(r.status).toBe(200);
    for (const v of [customerId, conversationId, NAME, 'Mustermann', EMAIL, '1234567', 'tok_', w.agentA1.id])
      expect(r.text).not.toContain(v);
    expect(r.json.customer).toMatch(/^c_[0-9a-f]{16}$/);
    expect(r.json.agent).toBeNull();
    expect(r.json.messages.find((m: { authorType: string }) => m.authorType === 'agent').author).toBe(
      'agent-1',
    );
    expect(r.json.messages[0].text).toMatch(/<PERSON_[0-9a-f]{10}>/);
    const again = await w.v.call('GET', `${q()}/reviews/${reviewId}/conversation`, undefined, w.s.supA);
    expect(again.json.customer).toBe(r.json.customer);
    expect(again.json.messages[0].text).toBe(r.json.messages[0].text);
    expect(await auditCount(w, w.a, 'quality.review.read', reviewId)).toBe(2);
  });

  it('another reviewer and another tenant get 404', async () => {
    expect((await w.v.call('GET', `${q()}/reviews/${reviewId}/conversation`, undefined, s2)).status).toBe(
      404,
    );
    const foreign = `/api/v1/tenants/${slugs(w).slugB}/quality/reviews/${reviewId}/conversation`;
    expect((await w.v.call('GET', foreign, undefined, supB)).status).toBe(404);
  });

  it('reveal needs a reason and is audited', async () => {
    const none = await w.v.call(
      'POST',
      `${q()}/reviews/${reviewId}/reveal`,
      { reason: 'aaaaaaaaaaaa' },
      w.s.supA,
    );
    expect(none.status).toBe(400);
    const r = await w.v.call(
      'POST',
      `${q()}/reviews/${reviewId}/reveal`,
      { reason: 'Customer complaint needs the agent identity' },
      w.s.supA,
    );
    expect(r.status).toBe(200);
    expect(r.json.conversation.assigneeId).toBe(w.agentA1.id);
    expect(await auditCount(w, w.a, 'quality.reveal', conversationId)).toBe(1);
  });

  it('scoring weighs criteria; a failed auto-fail item fails the review', async () => {
    const url = `${q()}/reviews/${reviewId}/score`;
    const missing = await w.v.call('PUT', url, { scores: { greeting: 100 } }, w.s.supA);
    expect(missing.status).toBe(400);
    const failed = await w.v.call(
      'PUT',
      url,
      { scores: { greeting: 100, resolution: 80, verified_first: 0 } },
      w.s.supA,
    );
    expect(failed.json).toMatchObject({ total: 0, autoFailed: true });
    const ok = await w.v.call(
      'PUT',
      url,
      {
        scores: { greeting: 100, resolution: 60, verified_first: 100 },
        comment: `Call ${PHONE} was read out`,
      },
      w.s.supA,
    );
    expect(ok.json).toMatchObject({ total: 70, autoFailed: false });
    expect(ok.json.comment).not.toContain('1234567');
  });

  it('calibration: two reviewers score the same conversation, the spread is shown', async () => {
    const c = await w.v.call(
      'POST',
      `${q()}/calibrations`,
      { scorecardId, conversationId, reviewerIds: [w.supA.id, sup2.id] },
      w.s.supA,
    );
    expect(c.status).toBe(200);
    expect(c.json.reviews).toHaveLength(2);
    const mine = await w.v.call('GET', `${q()}/reviews`, undefined, s2);
    const theirs = mine.json.items.find(
      (x: { calibrationId: string }) => x.calibrationId === c.json.calibrationId,
    );
    const supAOwn = (await w.v.call('GET', `${q()}/reviews`, undefined, w.s.supA)).json.items.find(
      (x: { calibrationId: string }) => x.calibrationId === c.json.calibrationId,
    );
    await w.v.call(
      'PUT',
      `${q()}/reviews/${supAOwn.id}/score`,
      { scores: { greeting: 100, resolution: 100, verified_first: 100 } },
      w.s.supA,
    );
    await w.v.call(
      'PUT',
      `${q()}/reviews/${theirs.id}/score`,
      { scores: { greeting: 0, resolution: 60, verified_first: 100 } },
      s2,
    );
    const cal = await w.v.call('GET', `${q()}/calibrations/${c.json.calibrationId}`, undefined, w.s.supA);
    expect(cal.json.spread).toEqual({ n: 2, mean: 72.5, range: 55, stddev: 27.5 });
    expect(cal.json.byCriterion.greeting.range).toBe(100);
    const foreign = `/api/v1/tenants/${slugs(w).slugB}/quality/calibrations/${c.json.calibrationId}`;
    expect((await w.v.call('GET', foreign, undefined, supB)).status).toBe(404);
  });

  it('the agent reads feedback and disputes; another supervisor resolves', async () => {
    const fb = await w.v.call('GET', `${q()}/feedback`, undefined, w.s.agentA1);
    expect(fb.status).toBe(200);
    expect(fb.json.items).toHaveLength(1);
    expect(fb.json.items[0]).not.toHaveProperty('reviewerId');
    expect((await w.v.call('GET', `${q()}/feedback`, undefined, w.s.agentA2)).json.items).toHaveLength(0);
    const other = await w.v.call(
      'POST',
      `${q()}/feedback/${reviewId}/dispute`,
      { reason: 'This was not my conversation at all' },
      w.s.agentA2,
    );
    expect(other.status).toBe(404);
    const d = await w.v.call(
      'POST',
      `${q()}/feedback/${reviewId}/dispute`,
      { reason: 'The customer was verified by phone first' },
      w.s.agentA1,
    );
    expect(d.json).toEqual({ reviewId, status: 'disputed' });
    const self = await w.v.call(
      'POST',
      `${q()}/reviews/${reviewId}/resolve`,
      { resolution: 'I keep my own score as it is' },
      w.s.supA,
    );
    expect(self.status).toBe(403);
    const r = await w.v.call(
      'POST',
      `${q()}/reviews/${reviewId}/resolve`,
      {
        resolution: 'Verification was done, resolution rescored',
        scores: { greeting: 100, resolution: 100, verified_first: 100 },
      },
      s2,
    );
    expect(r.json).toEqual({ reviewId, status: 'resolved', total: 100 });
    expect(await auditCount(w, w.a, 'quality.review.dispute', reviewId)).toBe(1);
    expect(await auditCount(w, w.a, 'quality.review.resolve', reviewId)).toBe(1);
  });

  it('trends per agent and per queue (calibration reviews left out)', async () => {
    const byAgent = await w.v.call('GET', `${q()}/trends?by=agent&days=30`, undefined, w.s.supA);
    expect(byAgent.status).toBe(200);
    expect(byAgent.json.items).toEqual([
      { key: w.agentA1.id, weeks: [expect.objectContaining({ reviews: 1, average: 100, autoFailed: 0 })] },
    ]);
    const byQueue = await w.v.call('GET', `${q()}/trends?by=queue`, undefined, w.s.supA);
    expect(byQueue.json.items[0].key).toBe(w.queueA1);
    expect((await w.v.call('GET', `${q()}/trends?by=nobody`, undefined, w.s.supA)).status).toBe(400);
  });
});
