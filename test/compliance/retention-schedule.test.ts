// The retention job's interval is a setting (VIGIL_RETENTION_INTERVAL_SECONDS): a running server
// configured to run it every second deletes expired data without anyone starting a run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { ageConversation, exists, newConversation } from './helpers.ts';

describe(`retention schedule (${testDbKind})`, () => {
  let v: TestVigil;
  let dpo: Session;
  beforeAll(async () => {
    const { retentionIntervalSeconds } = loadConfig({ VIGIL_RETENTION_INTERVAL_SECONDS: '1' });
    v = await startTestVigil({ retentionIntervalSeconds });
    await v.tenant('ret-sched');
    dpo = await v.login(await v.makeUser([{ role: 'dpo', tenant: 'ret-sched' }]));
  });
  afterAll(() => v.close());

  it('validates the setting', () => {
    expect(() => loadConfig({ VIGIL_RETENTION_INTERVAL_SECONDS: 'hourly' })).toThrow(ConfigError);
    expect(loadConfig({}).retentionIntervalSeconds).toBe(3600);
  });

  it('deletes an expired conversation on the configured schedule', async () => {
    const t = { id: await v.tenant('ret-sched'), slug: 'ret-sched' };
    const put = await v.call(
      'PUT',
      '/api/v1/tenants/ret-sched/compliance/retention/policies/chat',
      { days: 30 },
      dpo,
    );
    expect(put.status).toBe(200);
    const old = await newConversation(v, t, 'chat');
    const recent = await newConversation(v, t, 'chat');
    await ageConversation(v, old.conversationId, 40);
    const end = Date.now() + 60_000;
    while (await exists(v, 'conversations', old.conversationId)) {
      if (Date.now() > end)
        throw new Error('the scheduled retention run did not delete the expired conversation');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await exists(v, 'conversations', recent.conversationId)).toBe(true);
  });
});
