// Two Vigil nodes (this process and a child process) on one PostgreSQL database and one NATS
// server: live updates and suspensions cross nodes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTotpSecret } from '../../src/auth/totp.ts';
import { waitForBus } from '../../src/platform/cluster/index.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { type RunningVigil, startVigil } from '../../src/runtime.ts';
import { openWs } from '../conversations/fixture.ts';
import { createPgDatabase, type Nats, type NodeProc, spawnNode, startNats } from '../faults/servers.ts';
import { type ClusterWorld, call, loginAt, seedWorld } from '../faults/world.ts';
import { freshTotp } from '../helpers/app.ts';
import { testCredentials } from '../helpers/users.ts';
import { waitFor } from '../helpers/wait.ts';

const LOGIN_MAX = 5;

describe('two nodes on one PostgreSQL and NATS', () => {
  let nats: Nats;
  let pgdb: { url: string; drop(): Promise<void> };
  let a: RunningVigil;
  let b: NodeProc;
  let w: ClusterWorld;

  beforeAll(async () => {
    nats = await startNats();
    pgdb = await createPgDatabase();
    // The nodes share what a deployment shares: the database, NATS and the key material.
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-mn-'));
    const masterKey = randomBytes(32).toString('base64');
    a = await startVigil(
      loadConfig(
        {},
        {
          port: 0,
          dataDir,
          databaseUrl: pgdb.url,
          natsUrl: nats.url,
          masterKey,
          logLevel: 'warn',
          trustProxy: true,
          loginMaxPerIpPerMinute: LOGIN_MAX,
        },
      ),
    );
    w = await seedWorld(a.core.db, a.tenancy);
    b = await spawnNode({
      DATABASE_URL: pgdb.url,
      NATS_URL: nats.url,
      VIGIL_DATA_DIR: dataDir,
      VIGIL_MASTER_KEY: masterKey,
      VIGIL_TRUST_PROXY: 'true',
      VIGIL_LOGIN_MAX_PER_IP_PER_MINUTE: String(LOGIN_MAX),
    });
    await waitForBus(a.bus);
  }, 90_000);

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await nats?.stop();
    await pgdb?.drop();
  });

  /** A chat-widget visitor's message, sent to the node at `base` from the allowed origin. */
  const postAsVisitor = (base: string, text: string, clientMessageId: string) =>
    call(base, 'POST', `/api/v1/widget/${w.slug}/messages`, { text, clientMessageId }, null, {
      origin: 'http://localhost',
    });

  /** Another agent of the tenant (optionally in a queue), signed in nowhere yet. */
  async function newAgent(queueId?: string) {
    const { email, displayName, password } = testCredentials('Agent');
    const totpSecret = newTotpSecret();
    const { id } = await a.tenancy.createUser({
      email,
      displayName,
      password,
      totpSecret,
      memberships: [{ role: 'agent', tenantId: w.tenantId }],
    });
    if (queueId)
      await a.core.db.withTenant(w.tenantId, (tx) =>
        tx.execute(
          sql`insert into queue_members (tenant_id, queue_id, user_id) values (${w.tenantId}, ${queueId}, ${id})`,
        ),
      );
    return { id, email, password, totpSecret };
  }

  it('a message received on node A reaches an agent socket on node B; a suspension on A ends it on B', async () => {
    expect(a.bus.kind).toBe('nats');
    const s = await loginAt(b.url, w.agent);
    const headers = { cookie: s.cookie, 'user-agent': s.userAgent };
    const live = await openWs(`${b.url.replace(/^http/, 'ws')}/api/v1/tenants/${w.slug}/live`, headers);
    // openWs returned on B's hello (the socket is registered); B's bus was subscribed before it
    // reported ready.

    const posted = await postAsVisitor(a.url, 'Hallo, ich habe eine Frage', 'mn-00000001');
    expect(posted.status).toBe(201);
    const ev = await live.next((m) => m.type === 'message.created', 15_000);
    expect(ev.conversationId).toBe(posted.json.conversationId);

    const before = await call(b.url, 'GET', `/api/v1/tenants/${w.slug}/conversations`, undefined, s);
    expect(before.status).toBe(200);

    // B has no timer that would close the socket by itself: only the suspension from A, over the bus,
    // ends it. (No latency bound here: CI shares two cores, and the close proves the path.)
    let closed = false;
    live.ws.on('close', () => {
      closed = true;
    });
    await a.app.auth.suspendUser(w.agent.id, 'test', { ip: '', uaHash: '', userId: null });
    await waitFor('the socket on B to close', () => closed);

    const after = await call(b.url, 'GET', `/api/v1/tenants/${w.slug}/conversations`, undefined, s);
    expect(after.status).toBe(401);
  }, 60_000);

  it('counts sign-in attempts from one address across both nodes', async () => {
    // Behind a load balancer the client address arrives in X-Forwarded-For (trustProxy).
    const from = { 'x-forwarded-for': '203.0.113.77' };
    const attempt = (base: string) =>
      call(
        base,
        'POST',
        '/api/v1/auth/login',
        { email: 'nobody@example.test', password: 'wrong password 1' },
        null,
        from,
      );
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_MAX; i++) statuses.push((await attempt(i % 2 === 0 ? a.url : b.url)).status);
    expect(statuses.every((s) => s === 401)).toBe(true);
    // The next attempt is refused on either node: each node alone has seen fewer than the limit.
    const overA = await attempt(a.url);
    const overB = await attempt(b.url);
    expect([overA.status, overB.status]).toEqual([429, 429]);
    expect(overB.json.error?.code ?? overB.json.code).toBe('rate_limited');
    // Another address is not affected.
    const other = await call(
      b.url,
      'POST',
      '/api/v1/auth/login',
      { email: 'nobody@example.test', password: 'x' },
      null,
      {
        'x-forwarded-for': '203.0.113.78',
      },
    );
    expect(other.status).toBe(401);
  }, 60_000);

  it('one insider detector sees the sign-ins made on both nodes', async () => {
    // A new agent signs in on A, then on B from another browser. B alone has never seen this
    // agent (a first session only teaches); the cluster's one detector knows the first device.
    const { id, email, password, totpSecret } = await newAgent();
    const signIn = async (base: string, ua: string) => {
      const first = await call(base, 'POST', '/api/v1/auth/login', { email, password }, null, {
        'user-agent': ua,
      });
      expect(first.status).toBe(200);
      const second = await call(
        base,
        'POST',
        '/api/v1/auth/mfa/totp',
        { challenge: first.json.challenge, code: freshTotp(totpSecret) },
        null,
        { 'user-agent': ua },
      );
      expect(second.status).toBe(200);
    };
    await signIn(a.url, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0');
    await signIn(b.url, 'Mozilla/5.0 (Windows NT 10.0) Chrome/150.0');
    await waitFor('a new_device alert', async () => {
      const { items } = await a.app.monitor.listAlerts(null);
      return items.some((x) => x.ruleId === 'new_device' && x.subject.id === id);
    });
  }, 60_000);

  it("an agent's reply on node A reaches the visitor's widget socket on node B", async () => {
    const origin = { origin: 'http://localhost' };
    const posted = await postAsVisitor(a.url, 'Wo bleibt meine Bestellung?', 'mn-visitor-0002');
    expect(posted.status).toBe(201);
    const token = encodeURIComponent(posted.json.visitorToken);
    const visitor = await openWs(
      `${b.url.replace(/^http/, 'ws')}/api/v1/widget/${w.slug}/ws?token=${token}`,
      origin,
    );
    // A fresh agent in the queue (the first test suspended the seeded one).
    const agent = await newAgent(w.queueId);
    const s = await loginAt(a.url, agent);
    const reply = await call(
      a.url,
      'POST',
      `/api/v1/tenants/${w.slug}/conversations/${posted.json.conversationId}/messages`,
      { text: 'Sie ist heute unterwegs.' },
      s,
    );
    expect(reply.status).toBe(201);
    const got = await visitor.next((m) => m.type === 'message' && m.author === 'agent', 15_000);
    expect(got.text).toBe('Sie ist heute unterwegs.');
    expect(got.messageId).toBe(reply.json.messageId ?? reply.json.id);
    visitor.ws.close();
  }, 60_000);
});
