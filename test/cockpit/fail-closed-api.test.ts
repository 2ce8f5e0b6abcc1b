// Issue 31 over the real HTTP API (both databases): tenant enforcement settings and their
// validation, settings pushed with the rules, sequenced events (replays recorded once, gaps
// recorded), state-changing actions audited as method + templated path, the tamper response per
// tenant (notify / suspend / both), pairing that requires a managed browser, and the enterprise
// policy JSON for Chrome and Edge.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';

const T = 'cp-closed';
const OTHER = 'cp-closed-other';
const ORIGIN = 'https://crm.client.example';
const EXT_ID = 'abcdefghijklmnopabcdefghijklmnop';

let v: TestVigil;
let admin: Session;
let so: Session;

const publicJwk = () => {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
};

async function pair(u: TestUser, managed?: boolean) {
  const session = await v.login(u);
  const code = await v.call('POST', '/api/v1/cockpit/pairing-codes', {}, session);
  const r = await v.call('POST', '/api/v1/cockpit/pair', {
    code: code.json.code,
    publicKey: publicJwk(),
    version: '0.2.0',
    ...(managed === undefined ? {} : { managed }),
  });
  return {
    session,
    status: r.status,
    json: r.json,
    token: r.json?.token as string,
    deviceId: r.json?.deviceId,
  };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const settings = (patch: unknown, s = admin) =>
  v.call('PUT', `/api/v1/tenants/${T}/cockpit/settings`, patch, s);

async function audit(action: string) {
  const r = await v.call(
    'GET',
    `/api/v1/tenants/${T}/audit/events?action=${action}&limit=200`,
    undefined,
    so,
  );
  expect(r.status).toBe(200);
  return r.json.events as Array<{
    outcome: string;
    resourceId: string | null;
    meta: Record<string, unknown>;
  }>;
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const x = await fn();
    if (x) return x;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Cockpit fails closed: API', () => {
  beforeAll(async () => {
    v = await startTestVigil({ cockpitHeartbeatGraceSeconds: 1 });
    admin = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: T }]));
    so = await v.login(await v.makeUser([{ role: 'security_officer', tenant: T }]));
    await v.makeUser([{ role: 'tenant_admin', tenant: OTHER }]);
    const t = await v.call(
      'POST',
      `/api/v1/tenants/${T}/cockpit/tools`,
      { name: 'CRM', origins: [ORIGIN], forbiddenPaths: ['/admin/refunds'] },
      admin,
    );
    expect(t.status).toBe(201);
  }, 120_000);
  afterAll(() => v?.close());

  it('validates tenant settings, keeps them to the tenant, and pushes them with the rules', async () => {
    for (const bad of [
      { unlistedSites: 'sometimes' },
      { offlineGraceSeconds: 0 },
      { tamperAction: 'x' },
      { y: 1 },
    ]) {
      const r = await settings(bad);
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe('invalid_input');
    }
    const otherAdmin = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: OTHER }]));
    expect(
      (await v.call('PUT', `/api/v1/tenants/${T}/cockpit/settings`, { requireActive: true }, otherAdmin))
        .status,
    ).toBe(404);
    const ok = await settings({ unlistedSites: 'block', offlineGraceSeconds: 5, heartbeatSeconds: 3 });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ unlistedSites: 'block', offlineGraceSeconds: 5, requireActive: false });
    const agent = await v.makeUser([{ role: 'agent', tenant: T }]);
    const p = await pair(agent);
    const rules = await v.call('GET', '/api/v1/cockpit/rules', undefined, null, bearer(p.token));
    expect(rules.json.settings).toEqual({
      unlistedSites: 'block',
      offlineGraceSeconds: 5,
      heartbeatSeconds: 3,
    });
    expect(
      rules.json.rules.some((r: { action: { redirect?: { regexSubstitution: string } } }) =>
        r.action.redirect?.regexSubstitution.includes('not_catalogued'),
      ),
    ).toBe(true);
    expect(
      (await settings({ unlistedSites: 'allow', offlineGraceSeconds: 30, heartbeatSeconds: 10 })).status,
    ).toBe(200);
  });

  it('records sequenced events once, records gaps, and audits actions as method + path template', async () => {
    const agent = await v.makeUser([{ role: 'agent', tenant: T }]);
    const p = await pair(agent);
    const send = (events: unknown[]) =>
      v.call('POST', '/api/v1/cockpit/events', { events }, null, bearer(p.token));
    const at = Date.now() - 60_000;
    const batch = [
      { kind: 'visit', origin: ORIGIN, path: '/orders/1001', seq: 1, at },
      {
        kind: 'action',
        method: 'POST',
        origin: ORIGIN,
        path: '/orders/1001/notes',
        outcome: 'allowed',
        seq: 2,
        at,
      },
      {
        kind: 'action',
        method: 'DELETE',
        origin: ORIGIN,
        path: '/admin/refunds/77',
        outcome: 'blocked',
        reason: 'path_forbidden',
        seq: 3,
        at,
      },
    ];
    expect((await send(batch)).json.recorded).toBe(3);
    expect((await send(batch)).json.recorded).toBe(0); // a replay after a lost answer
    expect(
      (await send([{ kind: 'visit', origin: ORIGIN, path: '/orders/..%2fadmin', seq: 7, at }])).json.recorded,
    ).toBe(1);
    const mine = (e: { meta: Record<string, unknown> }) => e.meta.deviceId === p.deviceId;
    const actions = (await audit('cockpit.action')).filter(mine);
    expect(actions.map((e) => [e.meta.method, e.meta.path, e.outcome, e.meta.seq]).sort()).toEqual([
      ['DELETE', '/admin/refunds/:id', 'denied', 3],
      ['POST', '/orders/:id/notes', 'success', 2],
    ]);
    // Recorded with how long ago it happened in the browser (about a minute here).
    expect(Number(actions[0]!.meta.delaySeconds)).toBeGreaterThanOrEqual(59);
    expect(Number(actions[0]!.meta.delaySeconds)).toBeLessThan(600);
    const visits = (await audit('cockpit.visit')).filter(mine);
    expect(visits.map((e) => e.meta.seq).sort()).toEqual([1, 7]);
    expect(visits.find((e) => e.meta.seq === 7)?.meta.ambiguous).toBe(true);
    const gaps = (await audit('cockpit.event_gap')).filter((e) => e.resourceId === p.deviceId);
    expect(gaps.map((e) => [e.meta.after, e.meta.next, e.meta.missing])).toEqual([[3, 7, 3]]);
    const bad = await send([{ kind: 'action', method: 'POST', origin: ORIGIN, path: '/x', seq: 0 }]);
    expect(bad.status).toBe(400);
  });

  it('answers a silent extension with the tenant response: notify, suspend or both', async () => {
    const meAlive = (s: Session) => v.call('GET', '/api/v1/me', undefined, s).then((r) => r.status === 200);
    const alertsFor = async (id: string) => {
      await v.app.monitor.flush();
      const r = await v.call('GET', `/api/v1/tenants/${T}/alerts?ruleId=cockpit_tamper`, undefined, so);
      return (r.json.items as Array<{ subject: { id: string } }>).filter((a) => a.subject.id === id);
    };
    const tamperOf = async (id: string) =>
      until(`the tamper record of ${id}`, async () =>
        (await audit('cockpit.tamper')).find((e) => e.resourceId === id),
      );

    for (const action of ['notify', 'suspend', 'both', null] as const) {
      expect((await settings({ tamperAction: action, tamperGraceSeconds: 1 })).status).toBe(200);
      const agent = await v.makeUser([{ role: 'agent', tenant: T }]);
      const p = await pair(agent); // never opens the push socket: silent from the start
      const ev = await tamperOf(agent.id);
      const want = action ?? 'both'; // default for agents
      expect(ev.meta).toMatchObject({ reason: 'heartbeat_lost', response: want });
      if (want === 'notify') expect(await meAlive(p.session)).toBe(true);
      else await until('sessions revoked', async () => !(await meAlive(p.session)));
      if (want !== 'suspend') await until('the alert', async () => (await alertsFor(agent.id)).length === 1);
      else expect(await alertsFor(agent.id)).toEqual([]);
      expect((await v.call('GET', '/api/v1/cockpit/rules', undefined, null, bearer(p.token))).status).toBe(
        401,
      );
    }
    expect((await settings({ tamperAction: null, tamperGraceSeconds: 600 })).status).toBe(200);
  }, 60_000);

  it('pairing can require the Cockpit installed by enterprise policy', async () => {
    expect((await settings({ requireManaged: true })).status).toBe(200);
    const agent = await v.makeUser([{ role: 'agent', tenant: T }]);
    const refused = await pair(agent);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('forbidden');
    const managed = await pair(agent, true);
    expect(managed.status).toBe(200);
    expect((await settings({ requireManaged: false })).status).toBe(200);
  });

  it('generates the Chrome and Edge enterprise policy for the tenant', async () => {
    const chrome = await v.call(
      'GET',
      `/api/v1/tenants/${T}/cockpit/policy?extensionId=${EXT_ID}`,
      undefined,
      admin,
    );
    expect(chrome.status).toBe(200);
    expect(chrome.json).toMatchObject({
      ExtensionInstallForcelist: [`${EXT_ID};https://clients2.google.com/service/update2/crx`],
      IncognitoModeAvailability: 1,
      BrowserAddPersonEnabled: false,
      BrowserGuestModeEnabled: false,
      DeveloperToolsAvailability: 1,
      DeveloperToolsAvailabilityBlocklist: [`${ORIGIN}/*`],
      '3rdparty': { extensions: { [EXT_ID]: { tenant: T } } },
    });
    const edge = await v.call(
      'GET',
      `/api/v1/tenants/${T}/cockpit/policy?browser=edge&extensionId=${EXT_ID}&updateUrl=${encodeURIComponent('https://edge.example/updates.xml')}`,
      undefined,
      admin,
    );
    expect(edge.json).toMatchObject({
      ExtensionInstallForcelist: [`${EXT_ID};https://edge.example/updates.xml`],
      InPrivateModeAvailability: 1,
      BrowserAddProfileEnabled: false,
    });
    expect(edge.json.IncognitoModeAvailability).toBeUndefined();
    const bad = await v.call('GET', `/api/v1/tenants/${T}/cockpit/policy?extensionId=nope`, undefined, admin);
    expect(bad.status).toBe(400);
    expect(
      (await v.call('GET', `/api/v1/tenants/${T}/cockpit/policy?extensionId=${EXT_ID}`, undefined, so))
        .status,
    ).toBe(403);
  });
});
