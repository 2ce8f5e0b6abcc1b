// The Cockpit's server side over HTTP against a real Vigil: pairing through a signed-in
// session, the device-bound token (dies with the session, renews only with the device key),
// catalogue validation, event ingest (templating, foreign tools), the tamper watchdog and a
// tenant that requires an active Cockpit.
import { generateKeyPairSync, sign } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- ws ships no types here (transitive dependency of @fastify/websocket)
import WebSocket from 'ws';
import { rows } from '../../src/platform/db.ts';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { waitFor } from '../helpers/wait.ts';

const T = 'cp-api';
const OTHER = 'cp-other';
const ORIGIN = 'https://shop.client.example';
const FOREIGN = 'https://erp.other-client.example';

let v: TestVigil;
let admin: Session;
let so: Session;
let otherSo: Session;

function deviceKey() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string; y: string };
  return { jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, privateKey };
}

async function pairAgent(u: TestUser, s?: Session) {
  const session = s ?? (await v.login(u));
  const code = await v.call('POST', '/api/v1/cockpit/pairing-codes', {}, session);
  expect(code.status).toBe(200);
  const key = deviceKey();
  const r = await v.call('POST', '/api/v1/cockpit/pair', {
    code: code.json.code,
    publicKey: key.jwk,
    version: '0.1.0',
  });
  expect(r.status).toBe(200);
  return {
    session,
    key,
    code: code.json.code as string,
    ...(r.json as { deviceId: string; token: string; uninstallSecret: string }),
  };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function events(s: Session, tenant: string, action: string) {
  const r = await v.call(
    'GET',
    `/api/v1/tenants/${tenant}/audit/events?action=${action}&limit=100`,
    undefined,
    s,
  );
  expect(r.status).toBe(200);
  return r.json.events as Array<{
    outcome: string;
    actorId: string | null;
    resourceId: string | null;
    meta: Record<string, unknown>;
  }>;
}

async function alerts(s: Session, tenant: string, ruleId: string) {
  await v.app.monitor.flush();
  const r = await v.call('GET', `/api/v1/tenants/${tenant}/alerts?ruleId=${ruleId}`, undefined, s);
  return r.json.items as Array<{ subject: { id: string }; severity: string }>;
}

describe('Cockpit API', () => {
  beforeAll(async () => {
    v = await startTestVigil({ cockpitHeartbeatGraceSeconds: 1 });
    admin = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: T }]));
    so = await v.login(await v.makeUser([{ role: 'security_officer', tenant: T }]));
    const otherAdmin = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: OTHER }]));
    otherSo = await v.login(await v.makeUser([{ role: 'security_officer', tenant: OTHER }]));
    const a = await v.call(
      'POST',
      `/api/v1/tenants/${T}/cockpit/tools`,
      { name: 'Shop', origins: [ORIGIN], forbiddenPaths: ['/admin/export'] },
      admin,
    );
    expect(a.status).toBe(201);
    const b = await v.call(
      'POST',
      `/api/v1/tenants/${OTHER}/cockpit/tools`,
      { name: 'ERP', origins: [FOREIGN] },
      otherAdmin,
    );
    expect(b.status).toBe(201);
  }, 120_000);
  afterAll(() => v?.close());

  it('validates the catalogue and keeps it to tenant admins', async () => {
    const bad = await v.call(
      'POST',
      `/api/v1/tenants/${T}/cockpit/tools`,
      { name: 'X', origins: ['javascript:alert(1)'] },
      admin,
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_input');
    const hours = await v.call(
      'POST',
      `/api/v1/tenants/${T}/cockpit/tools`,
      { name: 'X', origins: ['https://x.example'], allowedHours: { timeZone: 'Mars/Base', slots: [] } },
      admin,
    );
    expect(hours.status).toBe(400);
    const agent = await v.login(await v.makeUser([{ role: 'agent', tenant: T }]));
    expect((await v.call('GET', `/api/v1/tenants/${T}/cockpit/tools`, undefined, agent)).status).toBe(403);
    expect((await v.call('GET', `/api/v1/tenants/${OTHER}/cockpit/tools`, undefined, admin)).status).toBe(
      404,
    );
  });

  it('pairs once per code, only from a signed-in session, and compiles rules for the agent', async () => {
    const agent = await v.makeUser([{ role: 'agent', tenant: T }]);
    expect((await v.call('POST', '/api/v1/cockpit/pairing-codes', {})).status).toBe(401);
    const p = await pairAgent(agent);
    const again = await v.call('POST', '/api/v1/cockpit/pair', {
      code: p.code,
      publicKey: deviceKey().jwk,
      version: '0.1.0',
    });
    expect(again.status).toBe(401);
    const rules = await v.call('GET', '/api/v1/cockpit/rules', undefined, null, bearer(p.token));
    expect(rules.status).toBe(200);
    expect(rules.json.tools.map((t: { origins: string[] }) => t.origins)).toEqual([[ORIGIN]]); // not the other tenant's
    expect(rules.json.rules.some((r: { action: { type: string } }) => r.action.type === 'redirect')).toBe(
      true,
    );
    const pairEvents = await v.call('GET', '/api/v1/cockpit/rules', undefined, null, bearer('not-a-token'));
    expect(pairEvents.status).toBe(401);
  });

  it('renews the token only with the device key, and the token dies with the Vigil session', async () => {
    const agent = await v.makeUser([{ role: 'agent', tenant: T }]);
    const p = await pairAgent(agent);
    const ts = Date.now();
    const forged = sign('sha256', Buffer.from(`vigil-cockpit-renew:${p.deviceId}:${ts}`), {
      key: deviceKey().privateKey,
      dsaEncoding: 'ieee-p1363',
    }).toString('base64url');
    expect(
      (await v.call('POST', '/api/v1/cockpit/token', { ts, signature: forged }, null, bearer(p.token)))
        .status,
    ).toBe(401);
    const good = sign('sha256', Buffer.from(`vigil-cockpit-renew:${p.deviceId}:${ts}`), {
      key: p.key.privateKey,
      dsaEncoding: 'ieee-p1363',
    }).toString('base64url');
    const renewed = await v.call(
      'POST',
      '/api/v1/cockpit/token',
      { ts, signature: good },
      null,
      bearer(p.token),
    );
    expect(renewed.status).toBe(200);
    expect((await v.call('GET', '/api/v1/cockpit/rules', undefined, null, bearer(p.token))).status).toBe(401); // replaced
    const fresh = renewed.json.token as string;
    expect((await v.call('GET', '/api/v1/cockpit/rules', undefined, null, bearer(fresh))).status).toBe(200);
    // Signing out of Vigil ends the Cockpit token bound to that session.
    expect((await v.call('POST', '/api/v1/auth/logout', {}, p.session)).status).toBeLessThan(300);
    expect((await v.call('GET', '/api/v1/cockpit/rules', undefined, null, bearer(fresh))).status).toBe(401);
  });

  it('records events with templated paths, and a foreign tool in the owning tenant with an alert', async () => {
    const agent = await v.makeUser([{ role: 'agent', tenant: T }]);
    const p = await pairAgent(agent);
    const r = await v.call(
      'POST',
      '/api/v1/cockpit/events',
      {
        events: [
          { kind: 'visit', origin: ORIGIN, path: '/orders/99812345?iban=DE89370400440532013000#top' },
          { kind: 'blocked', origin: ORIGIN, path: '/admin/export', reason: 'path_forbidden' },
          { kind: 'visit', origin: FOREIGN, path: '/invoices/1234' },
          { kind: 'visit', origin: 'https://unknown.example', path: '/' },
        ],
      },
      null,
      bearer(p.token),
    );
    expect(r.status).toBe(200);
    expect(r.json.recorded).toBe(3);
    const visits = (await events(so, T, 'cockpit.visit')).filter((e) => e.actorId === agent.id);
    expect(visits.map((e) => e.meta.path)).toEqual(['/orders/:id']);
    expect(JSON.stringify(visits)).not.toMatch(/99812345|DE89|top/);
    const foreign = (await events(otherSo, OTHER, 'cockpit.foreign_tool')).filter(
      (e) => e.actorId === agent.id,
    );
    expect(foreign).toHaveLength(1);
    expect((await alerts(otherSo, OTHER, 'cockpit_foreign_tool')).map((a) => a.subject.id)).toContain(
      agent.id,
    );
    // Nothing about it in the agent's own tenant beyond its own tool.
    expect((await events(so, T, 'cockpit.foreign_tool')).filter((e) => e.actorId === agent.id)).toEqual([]);
  });

  it('raises a tamper alert when a paired extension stays silent during a live session', async () => {
    const agent = await v.makeUser([{ role: 'agent', tenant: T }]);
    const p = await pairAgent(agent); // never opens the push socket
    const found = await waitFor('a tamper alert', async () => {
      const mine = (await alerts(so, T, 'cockpit_tamper')).filter((a) => a.subject.id === agent.id);
      return mine.length ? mine : null;
    });
    expect(found).toHaveLength(1);
    const ev = (await events(so, T, 'cockpit.tamper')).find((e) => e.resourceId === agent.id);
    expect(ev?.meta).toMatchObject({ reason: 'heartbeat_lost', deviceId: p.deviceId });
    // The Cockpit event is the alert's evidence, in the same tamper-evident log as Vigil's own.
    const detail = await v.call(
      'GET',
      `/api/v1/tenants/${T}/alerts/${(found[0] as unknown as { id: string }).id}`,
      undefined,
      so,
    );
    expect(detail.json.evidence.map((x: { seq: string }) => String(x.seq))).toContain(
      String((ev as unknown as { seq: number }).seq),
    );
    // The device is over: its token no longer works.
    expect((await v.call('GET', '/api/v1/cockpit/rules', undefined, null, bearer(p.token))).status).toBe(401);
  });

  it('records no tamper when the session ended first', async () => {
    const agent = await v.makeUser([{ role: 'agent', tenant: T }]);
    const p = await pairAgent(agent);
    await v.call('POST', '/api/v1/auth/logout', {}, p.session);
    // The watchdog decides once the grace is over: it ends the device instead of recording tamper.
    const ended = await waitFor('the watchdog to end the device', async () => {
      const [d] = await v.core.db.withOwner((tx) =>
        rows<{ status: string; ended_reason: string | null }>(
          tx,
          sql`select status, ended_reason from cockpit_devices where id = ${p.deviceId}`,
        ),
      );
      return d?.status !== 'active' && d;
    });
    expect(ended).toMatchObject({ status: 'ended', ended_reason: 'session_ended' });
    expect((await events(so, T, 'cockpit.tamper')).filter((e) => e.resourceId === agent.id)).toEqual([]);
    await v.app.monitor.flush();
    expect((await alerts(so, T, 'cockpit_tamper')).filter((a) => a.subject.id === agent.id)).toEqual([]);
  });

  it('a tenant can require an active Cockpit for its data', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: T }]);
    const s = await v.login(u);
    const list = `/api/v1/tenants/${T}/conversations`;
    expect((await v.call('GET', list, undefined, s)).status).toBe(200);
    expect(
      (await v.call('PUT', `/api/v1/tenants/${T}/cockpit/settings`, { requireActive: true }, admin)).status,
    ).toBe(200);
    // The setting is cached for 5 s per node: poll until it applies.
    const refused = await waitFor('the setting to apply', async () => {
      const r = await v.call('GET', list, undefined, s);
      return r.status !== 200 && r;
    });
    expect(refused.status).toBe(403);
    await pairAgent(u, s);
    expect((await v.call('GET', list, undefined, s)).status).toBe(200);
    expect(
      (await v.call('PUT', `/api/v1/tenants/${T}/cockpit/settings`, { requireActive: false }, admin)).status,
    ).toBe(200);
    const overview = await v.call('GET', `/api/v1/tenants/${T}/cockpit/agents`, undefined, so);
    expect(overview.status).toBe(200);
    expect(overview.json.items.find((i: { userId: string }) => i.userId === u.id)?.cockpitActive).toBe(true);
  });

  it('pushes rule changes over the socket and shuts it when the session expires without a revocation', async () => {
    const agent = await v.makeUser([{ role: 'agent', tenant: T }]);
    const p = await pairAgent(agent);
    const ws = new WebSocket(`${v.url.replace('http', 'ws')}/api/v1/cockpit/socket`);
    const messages: Array<{ type: string; tools?: Array<{ downloadPolicy: string }>; reason?: string }> = [];
    ws.on('message', (m: unknown) => messages.push(JSON.parse(String(m))));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ type: 'hello', token: p.token }));
    await waitFor('the rules', () => messages.some((m) => m.type === 'rules'));
    const tools = await v.call('GET', `/api/v1/tenants/${T}/cockpit/tools`, undefined, admin);
    const shop = tools.json.items.find((t: { name: string }) => t.name === 'Shop');
    const put = await v.call(
      'PUT',
      `/api/v1/tenants/${T}/cockpit/tools/${shop.id}`,
      { name: 'Shop', origins: [ORIGIN], forbiddenPaths: ['/admin/export'], downloadPolicy: 'block' },
      admin,
    );
    expect(put.status).toBe(200);
    await waitFor('the changed rules', () =>
      messages.some((m) => m.type === 'rules' && m.tools?.[0]?.downloadPolicy === 'block'),
    );
    // The session times out (no revocation event): the periodic sweep shuts the extension.
    await v.core.db.withPlatform((tx) =>
      tx.execute(
        sql`update sessions set idle_expires_at = now() - interval '1 second' where user_id = ${agent.id}`,
      ),
    );
    await v.app.cockpit.hub.sweepSessions();
    await waitFor('the revocation', () => messages.some((m) => m.type === 'revoke'));
    ws.close();
  });
});
