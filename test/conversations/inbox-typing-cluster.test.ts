// Typing indicators across nodes (issue 25): the visitor's widget socket on node B and the agent's
// live socket on node A, one PostgreSQL and one NATS; the hints cross the cluster bus as ids.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForBus } from '../../src/platform/cluster/index.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { type RunningVigil, startVigil } from '../../src/runtime.ts';
import { createPgDatabase, type Nats, type NodeProc, spawnNode, startNats } from '../faults/servers.ts';
import { type ClusterWorld, call, loginAt, seedWorld } from '../faults/world.ts';
import { openWs } from './fixture.ts';

describe('typing indicators across two nodes', () => {
  let nats: Nats;
  let pgdb: { url: string; drop(): Promise<void> };
  let a: RunningVigil;
  let b: NodeProc;
  let w: ClusterWorld;

  beforeAll(async () => {
    nats = await startNats();
    pgdb = await createPgDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-typing-'));
    const masterKey = randomBytes(32).toString('base64');
    a = await startVigil(
      loadConfig(
        {},
        { port: 0, dataDir, databaseUrl: pgdb.url, natsUrl: nats.url, masterKey, logLevel: 'warn' },
      ),
    );
    w = await seedWorld(a.core.db, a.tenancy);
    b = await spawnNode({
      DATABASE_URL: pgdb.url,
      NATS_URL: nats.url,
      VIGIL_DATA_DIR: dataDir,
      VIGIL_MASTER_KEY: masterKey,
    });
    await waitForBus(a.bus);
  }, 90_000);

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await nats?.stop();
    await pgdb?.drop();
  });

  it('the visitor on node B and the agent on node A see each other typing', async () => {
    const origin = { origin: 'http://localhost' };
    const posted = await call(
      b.url,
      'POST',
      `/api/v1/widget/${w.slug}/messages`,
      { text: 'Hallo, ich tippe gleich weiter', clientMessageId: 'typing-mn-0001' },
      null,
      origin,
    );
    expect(posted.status).toBe(201);
    const conversationId = posted.json.conversationId as string;
    const token = encodeURIComponent(posted.json.visitorToken);
    const visitor = await openWs(
      `${b.url.replace(/^http/, 'ws')}/api/v1/widget/${w.slug}/ws?token=${token}`,
      origin,
    );
    const s = await loginAt(a.url, w.agent);
    const agent = await openWs(`${a.url.replace(/^http/, 'ws')}/api/v1/tenants/${w.slug}/live`, {
      cookie: s.cookie,
      'user-agent': s.userAgent,
    });

    visitor.ws.send(JSON.stringify({ type: 'typing' }));
    expect(await agent.next((m) => m.type === 'typing')).toEqual({
      type: 'typing',
      conversationId,
      from: 'visitor',
    });
    agent.ws.send(JSON.stringify({ type: 'typing', conversationId }));
    expect(await visitor.next((m) => m.type === 'typing')).toEqual({
      type: 'typing',
      author: 'agent',
      conversationId,
    });
    visitor.ws.close();
    agent.ws.close();
  }, 60_000);
});
