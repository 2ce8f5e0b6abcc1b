// The scripted insider scenario against a running server: normal work stays quiet; a burst of
// profile views raises an alert within seconds and suspends (or steps up) the agent at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTotp, type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { waitFor } from '../helpers/wait.ts';

describe('insider monitoring over HTTP', () => {
  let v: TestVigil;
  let so: TestUser;
  let ss: Session;
  const ids: string[] = [];

  beforeAll(async () => {
    v = await startTestVigil();
    await v.tenant('ins-a');
    so = await v.makeUser([{ role: 'security_officer', tenant: 'ins-a' }]);
    ss = await v.login(so);
    const clerk = await v.makeUser([{ role: 'supervisor', tenant: 'ins-a' }]);
    const sc = await v.login(clerk);
    for (let i = 0; i < 40; i++) {
      const r = await v.call(
        'POST',
        '/api/v1/tenants/ins-a/customers',
        { name: `Kunde ${i}`, emails: [`kunde${i}@example.org`] },
        sc,
      );
      expect(r.status).toBe(201);
      ids.push(r.json.id);
    }
  });
  afterAll(() => v.close());

  const alertsFor = async (userId: string) => {
    const r = await v.call('GET', `/api/v1/tenants/ins-a/alerts?subjectId=${userId}`, undefined, ss);
    expect(r.status).toBe(200);
    return r.json.items as Array<{ id: string; ruleId: string; severity: string; state: string }>;
  };

  it('normal work raises no alert', async () => {
    const agent = await v.makeUser([{ role: 'agent', tenant: 'ins-a' }]);
    const s = await v.login(agent);
    const seen = v.app.monitor.stats().eventsIngested;
    for (const id of ids.slice(0, 12))
      expect((await v.call('GET', `/api/v1/tenants/ins-a/customers/${id}`, undefined, s)).status).toBe(200);
    // The detector has judged all twelve views and stored what it found.
    await waitFor('the views to reach the detector', () => v.app.monitor.stats().eventsIngested >= seen + 12);
    await v.app.monitor.flush();
    expect(await alertsFor(agent.id)).toEqual([]);
  });

  it('200 profile views in a minute with the rule set to suspend: alert within 5 s, next request 401, sessions revoked; lifting restores', async () => {
    const rule = await v.call(
      'PUT',
      '/api/v1/tenants/ins-a/monitoring/rules/view_burst',
      { action: 'suspend' },
      ss,
    );
    expect(rule.status).toBe(200);
    const agent = await v.makeUser([{ role: 'agent', tenant: 'ins-a' }]);
    const s = await v.login(agent);
    let refusedAt = -1;
    for (let i = 0; i < 200; i++) {
      const r = await v.call('GET', `/api/v1/tenants/ins-a/customers/${ids[i % ids.length]}`, undefined, s);
      if (r.status === 401) {
        refusedAt = i;
        break;
      }
      expect(r.status).toBe(200);
    }
    expect(refusedAt).toBeGreaterThan(40);
    // The refusal inside the burst is the timely action; the alert behind it is listed once stored.
    const alerts = await waitFor('the view_burst alert', async () => {
      const found = await alertsFor(agent.id);
      return found.length ? found : null;
    });
    expect(alerts.map((a) => a.ruleId)).toContain('view_burst');
    expect(JSON.stringify(alerts)).not.toContain('Kunde');
    const sessions = await v.call('GET', `/api/v1/tenants/ins-a/users/${agent.id}/sessions`, undefined, ss);
    expect(sessions.json.sessions[0].revokedReason).toBe('suspended');
    expect(
      (await v.call('POST', '/api/v1/auth/login', { email: agent.email, password: agent.password })).json
        .error.code,
    ).toBe('account_suspended');
    const detail = await v.call('GET', `/api/v1/tenants/ins-a/alerts/${alerts[0]!.id}`, undefined, ss);
    expect(detail.status).toBe(200);
    expect(
      (
        await v.call(
          'PATCH',
          `/api/v1/tenants/ins-a/alerts/${alerts[0]!.id}`,
          { state: 'acknowledged', comment: 'checking' },
          ss,
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await v.call(
          'POST',
          `/api/v1/tenants/ins-a/users/${agent.id}/unsuspend`,
          { reason: 'reviewed with team lead' },
          ss,
        )
      ).status,
    ).toBe(200);
    const back = await v.login(agent);
    expect((await v.call('GET', `/api/v1/tenants/ins-a/customers/${ids[0]}`, undefined, back)).status).toBe(
      200,
    );
    await v.call('PUT', '/api/v1/tenants/ins-a/monitoring/rules/view_burst', null, ss);
  });

  it('with the default step-up action the burst demands a fresh code; the code restores access', async () => {
    const agent = await v.makeUser([{ role: 'agent', tenant: 'ins-a' }]);
    const s = await v.login(agent);
    let stepped = false;
    for (let i = 0; i < 120 && !stepped; i++) {
      const r = await v.call('GET', `/api/v1/tenants/ins-a/customers/${ids[i % ids.length]}`, undefined, s);
      if (r.status === 403) {
        expect(r.json.error.code).toBe('step_up_required');
        stepped = true;
      }
    }
    expect(stepped).toBe(true);
    expect((await v.call('POST', '/api/v1/auth/step-up', { code: '000000' }, s)).status).toBe(401);
    expect(
      (await v.call('POST', '/api/v1/auth/step-up', { code: freshTotp(agent.totpSecret) }, s)).status,
    ).toBe(200);
    expect((await v.call('GET', `/api/v1/tenants/ins-a/customers/${ids[0]}`, undefined, s)).status).toBe(200);
  });

  it('agents cannot read alerts; a foreign security officer gets 404', async () => {
    const agent = await v.makeUser([{ role: 'agent', tenant: 'ins-a' }]);
    await v.tenant('ins-b');
    const other = await v.makeUser([{ role: 'security_officer', tenant: 'ins-b' }]);
    expect(
      (await v.call('GET', '/api/v1/tenants/ins-a/alerts', undefined, await v.login(agent))).status,
    ).toBe(403);
    expect(
      (await v.call('GET', '/api/v1/tenants/ins-a/alerts', undefined, await v.login(other))).status,
    ).toBe(404);
  });
});
