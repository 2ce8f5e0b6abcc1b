// Training modules: markdown sections and a quiz with a pass mark and limited tries, versioned.
// Passing writes the completion the tenant's training gate checks: the agent locked out by the
// module's gate training gets back in; a new version locks them out again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { GATE_MODULE, RIGHT, WRONG } from './world.ts';

describe(`awareness training modules (${testDbKind})`, () => {
  let v: TestVigil;
  let officer: Session;
  let agent: Session;
  let supervisor: Session;
  let moduleId: string;
  let trainingId: string;
  const slug = `train-${Math.random().toString(36).slice(2, 8)}`;
  const api = (p: string) => `/api/v1/tenants/${slug}/awareness${p}`;
  const read = () => v.call('GET', `/api/v1/tenants/${slug}/conversations`, undefined, agent);

  beforeAll(async () => {
    v = await startTestVigil();
    await v.tenant(slug);
    officer = await v.login(await v.makeUser([{ role: 'security_officer', tenant: slug }]));
    agent = await v.login(await v.makeUser([{ role: 'agent', tenant: slug }]));
    supervisor = await v.login(await v.makeUser([{ role: 'supervisor', tenant: slug }]));
  }, 120_000);
  afterAll(() => v?.close());

  it('lets only the security role and tenant admins author modules', async () => {
    expect((await v.call('POST', api('/modules'), GATE_MODULE, agent)).status).toBe(403);
    expect((await v.call('POST', api('/modules'), GATE_MODULE, supervisor)).status).toBe(403);
    const bad = await v.call(
      'POST',
      api('/modules'),
      { ...GATE_MODULE, quiz: [{ question: 'q', options: ['a', 'b'], correct: [5] }] },
      officer,
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_input');
    expect((await read()).status).toBe(200);
    const r = await v.call('POST', api('/modules'), GATE_MODULE, officer);
    expect(r.status).toBe(201);
    moduleId = r.json.id;
    trainingId = r.json.trainingId;
    expect(trainingId).toBeTruthy();
  });

  it('locks the agent out until the quiz is passed, never showing the answers', async () => {
    const locked = await read();
    expect(locked.status).toBe(403);
    expect(locked.json.error.code).toBe('training_required');
    const me = await v.call('GET', api('/me'), undefined, agent);
    expect(me.status).toBe(200);
    expect(me.json.modules.map((m: { id: string }) => m.id)).toContain(moduleId);
    const m = await v.call('GET', api(`/modules/${moduleId}`), undefined, agent);
    expect(m.json.sections).toHaveLength(2);
    expect(m.text).not.toContain('"correct"');
    // Acknowledging the gate training without the quiz is refused.
    const ack = await v.call(
      'POST',
      `/api/v1/tenants/${slug}/trainings/${trainingId}/completions`,
      {},
      agent,
    );
    expect(ack.status).toBe(409);
    expect((await read()).status).toBe(403);
    const failed = await v.call('POST', api(`/modules/${moduleId}/attempts`), { answers: WRONG }, agent);
    expect(failed.json).toMatchObject({ passed: false, score: 0, attemptsLeft: 1 });
    expect((await read()).status).toBe(403);
    const passed = await v.call('POST', api(`/modules/${moduleId}/attempts`), { answers: RIGHT }, agent);
    expect(passed.json).toMatchObject({ passed: true, score: 100, attemptsLeft: 0 });
    expect(passed.json.completionExpiresAt).toBeTruthy();
    expect((await read()).status).toBe(200);
  });

  it('a new version needs a new pass, and tries run out', async () => {
    const r = await v.call(
      'PUT',
      api(`/modules/${moduleId}`),
      { ...GATE_MODULE, title: 'Phishing basics 2027' },
      officer,
    );
    expect(r.status).toBe(200);
    expect(r.json.version).toBe(2);
    expect((await read()).json.error.code).toBe('training_required');
    for (let i = 0; i < 2; i++)
      expect(
        (await v.call('POST', api(`/modules/${moduleId}/attempts`), { answers: WRONG }, agent)).status,
      ).toBe(201);
    const out = await v.call('POST', api(`/modules/${moduleId}/attempts`), { answers: RIGHT }, agent);
    expect(out.status).toBe(409);
    expect(out.json.error.code).toBe('quiz_attempts_exhausted');
  });
});
