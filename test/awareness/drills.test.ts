// Social-engineering drills through the real HTTP API: the security officer launches a simulated
// chat into an agent's queue through the ingest path; the agent sees an ordinary conversation.
// Scoring reads the audit log: one agent starts caller verification first (passed), one replies
// with an IBAN (failed, refresher assigned), silence past the deadline is no_response. Another
// tenant's officer gets 404; supervisors see aggregates only, no group below five.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { REFRESHER } from './world.ts';

describe(`awareness drills (${testDbKind})`, () => {
  let v: TestVigil;
  let officer: Session;
  let supervisor: Session;
  let otherOfficer: Session;
  let agents: TestUser[];
  let queueId: string;
  let smallQueueId: string;
  let tenantId: string;
  const suffix = Math.random().toString(36).slice(2, 8);
  const slug = `drill-${suffix}`;
  const otherSlug = `drill-other-${suffix}`;
  const api = (p: string, s = slug) => `/api/v1/tenants/${s}/awareness${p}`;
  const launch = (agent: TestUser, extra: Record<string, unknown> = {}) =>
    v.call(
      'POST',
      api('/drills'),
      { agentId: agent.id, queueId, scenario: 'colleague_iban', language: 'en', ...extra },
      officer,
    );
  const score = (id: string, s = officer) => v.call('POST', api(`/drills/${id}/score`), undefined, s);

  beforeAll(async () => {
    v = await startTestVigil();
    tenantId = await v.tenant(slug);
    await v.tenant(otherSlug);
    officer = await v.login(await v.makeUser([{ role: 'security_officer', tenant: slug }]));
    supervisor = await v.login(await v.makeUser([{ role: 'supervisor', tenant: slug }]));
    otherOfficer = await v.login(await v.makeUser([{ role: 'security_officer', tenant: otherSlug }]));
    agents = [];
    for (let i = 0; i < 7; i++) agents.push(await v.makeUser([{ role: 'agent', tenant: slug }]));
    queueId = await v.core.db.withTenant(tenantId, async (tx) => {
      const [q] = await rows<{ id: string }>(
        tx,
        sql`insert into queues (tenant_id, name) values (${tenantId}, 'front') returning id`,
      );
      for (const a of agents)
        await tx.execute(
          sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenantId}, ${q!.id}, ${a.id})`,
        );
      return q!.id;
    });
    expect((await v.call('POST', api('/modules'), REFRESHER, officer)).status).toBe(201);
  }, 120_000);
  afterAll(() => v?.close());

  it('lets only the security role launch, and refuses an agent outside the queue', async () => {
    const agent = await v.login(agents[0]!);
    expect((await v.call('POST', api('/drills'), {}, agent)).status).toBe(403);
    expect((await launch(agents[0]!, { scenario: 'nope' })).status).toBe(400);
    const stranger = await v.makeUser([{ role: 'agent', tenant: slug }]);
    const r = await launch(stranger);
    expect(r.status).toBe(404);
  });

  it('passes an agent who starts caller verification before replying', async () => {
    const d = await launch(agents[0]!, { scenario: 'other_address', language: 'de' });
    expect(d.status).toBe(201);
    const agent = await v.login(agents[0]!);
    // An ordinary chat in the agent's queue: nothing says "drill".
    const conv = await v.call(
      'GET',
      `/api/v1/tenants/${slug}/conversations/${d.json.conversationId}`,
      undefined,
      agent,
    );
    expect(conv.status).toBe(200);
    expect(conv.json.channel).toBe('chat');
    expect(conv.text.toLowerCase()).not.toContain('drill');
    expect((await score(d.json.id)).status).toBe(409);
    const attempt = await v.call(
      'POST',
      `/api/v1/tenants/${slug}/conversations/${d.json.conversationId}/verification/attempts`,
      { factor: 'date_of_birth', answer: '1980-01-01' },
      agent,
    );
    expect(attempt.status).toBeLessThan(500);
    const reply = await v.call(
      'POST',
      `/api/v1/tenants/${slug}/conversations/${d.json.conversationId}/messages`,
      { text: 'I am sorry, I cannot share that without verification.' },
      agent,
    );
    expect(reply.status).toBeLessThan(300);
    const s = await score(d.json.id);
    expect(s.status).toBe(200);
    expect(s.json).toMatchObject({ result: 'passed', rule: 'verification_started' });
    // Scored once: a second call answers the same verdict.
    expect((await score(d.json.id)).json.result).toBe('passed');
    const me = await v.call('GET', api('/me'), undefined, agent);
    expect(me.json.drills).toEqual([expect.objectContaining({ id: d.json.id, result: 'passed' })]);
    expect(me.json.assignments).toHaveLength(0);
  });

  it('fails an agent who replies with the requested data and assigns the refresher', async () => {
    const d = await launch(agents[1]!);
    const agent = await v.login(agents[1]!);
    // A running drill is not listed as one for its agent.
    expect((await v.call('GET', api('/me'), undefined, agent)).json.drills).toEqual([]);
    const reply = await v.call(
      'POST',
      `/api/v1/tenants/${slug}/conversations/${d.json.conversationId}/messages`,
      { text: 'Sure, the IBAN is DE89 3704 0044 0532 0130 00' },
      agent,
    );
    expect(reply.status).toBeLessThan(300);
    const s = await score(d.json.id);
    expect(s.json).toMatchObject({ result: 'failed', rule: 'disclosed_before_verification' });
    const me = await v.call('GET', api('/me'), undefined, agent);
    expect(me.json.drills).toEqual([expect.objectContaining({ result: 'failed' })]);
    expect(me.json.assignments).toEqual([expect.objectContaining({ reason: 'drill_failed' })]);
  });

  it('scores silence past the deadline as no_response', async () => {
    for (const a of agents.slice(2, 5)) {
      const d = await launch(a, { timeoutMinutes: 0, scenario: 'reset_unverified', language: 'fr' });
      expect(d.status).toBe(201);
      expect((await score(d.json.id)).json).toMatchObject({ result: 'no_response', rule: 'timeout' });
    }
  });

  it("answers another tenant's officer with 404", async () => {
    const list = await v.call('GET', api('/drills'), undefined, officer);
    const id = list.json.drills[0].id as string;
    expect((await score(id, otherOfficer)).status).toBe(404);
    expect(
      (await v.call('POST', api(`/drills/${id}/score`, otherSlug), undefined, otherOfficer)).status,
    ).toBe(404);
    expect((await v.call('GET', api('/drills', otherSlug), undefined, otherOfficer)).json.drills).toEqual([]);
  });

  it('shows supervisors aggregates only, individuals to the security officer', async () => {
    expect((await v.call('GET', api('/drills'), undefined, supervisor)).status).toBe(403);
    const officerView = await v.call('GET', api('/drills'), undefined, officer);
    expect(officerView.json.drills).toHaveLength(5);
    expect(officerView.json.drills[0].agentId).toBe(agents[0]!.id);
    const m = await v.call('GET', api('/drills/measures'), undefined, supervisor);
    expect(m.status).toBe(200);
    expect(m.json.tenant).toMatchObject({
      suppressed: false,
      drills: 5,
      passed: 1,
      failed: 1,
      noResponse: 3,
    });
    expect(m.text).not.toContain(agents[0]!.id);
    expect(m.json.teams).toEqual([expect.objectContaining({ team: queueId, suppressed: false })]);
  });

  it('suppresses a team below five drills', async () => {
    smallQueueId = await v.core.db.withTenant(tenantId, async (tx) => {
      const [q] = await rows<{ id: string }>(
        tx,
        sql`insert into queues (tenant_id, name) values (${tenantId}, 'back') returning id`,
      );
      await tx.execute(
        sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenantId}, ${q!.id}, ${agents[5]!.id})`,
      );
      return q!.id;
    });
    const d = await launch(agents[5]!, { queueId: smallQueueId, timeoutMinutes: 0 });
    expect((await score(d.json.id)).json.result).toBe('no_response');
    const m = await v.call('GET', api('/drills/measures'), undefined, supervisor);
    expect(m.json.tenant).toMatchObject({ drills: 6, noResponse: 4 });
    expect(m.json.teams).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ team: queueId, suppressed: false, drills: 5 }),
        { team: smallQueueId, suppressed: true, minGroup: 5 },
      ]),
    );
  });
});
