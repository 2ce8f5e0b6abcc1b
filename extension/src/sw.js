// Vigil Cockpit service worker. Holds a short-lived, device-bound token (chrome.storage.session:
// memory only) and enforces what Vigil pushes over its WebSocket as declarativeNetRequest dynamic
// rules: the tools of the agent's tenants (whatever the build knew), sites outside the catalogue,
// and the tenant's offline grace and heartbeat. Fails closed: without Vigil for the grace, the
// tools lock until it answers again. Reports visits, blocked attempts, state-changing requests and
// downloads as origin + templated path through an encrypted, sequenced queue (queue.js). No page
// content is ever read.
import { TOOL_ORIGINS, VIGIL_URL } from './config.js';
import { clearOrigins } from './kill.js';
import { observe } from './observe.js';
import { enqueue, flush, pending, resetQueue } from './queue.js';
import { BLOCK, ruleSet, verdict } from './rules.js';
import { renew, signingKey } from './session.js';

const VERSION = chrome.runtime.getManifest().version;
const CHECK_MS = 500;

let ws = null;
let pingTimer = null;
let reconnectTimer = null;
let server = null; // the last rules message: { version, rules, tools, settings }
let installed = [];

// ---- state ------------------------------------------------------------------------------------
const session = (keys) => chrome.storage.session.get(keys);
const getState = async () => (await session('auth')).auth ?? null;
const setState = (auth) =>
  auth ? chrome.storage.session.set({ auth }) : chrome.storage.session.remove('auth');
const settings = () =>
  server?.settings ?? { offlineGraceSeconds: 30, heartbeatSeconds: 10, unlistedSites: 'allow' };
async function knownOrigins() {
  const { known = [] } = await chrome.storage.local.get('known');
  return [...new Set([...TOOL_ORIGINS, ...known])].sort();
}
const toolFor = (origin) => server?.tools.find((t) => t.origins.includes(origin));

async function install(reason = 'not_signed_in') {
  const [auth, { locked }] = [await getState(), await session('locked')];
  installed = ruleSet({ paired: !!auth, reason, server, known: await knownOrigins(), locked: !!locked });
  const old = await chrome.declarativeNetRequest.getDynamicRules();
  await chrome.declarativeNetRequest.updateDynamicRules({
    removeRuleIds: old.map((r) => r.id),
    addRules: installed,
  });
}

// ---- Vigil API --------------------------------------------------------------------------------
async function api(path, { method = 'GET', body, token } = {}) {
  const auth = token ?? (await getState())?.token;
  const r = await fetch(VIGIL_URL + path, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(auth ? { authorization: `Bearer ${auth}` } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
    credentials: 'omit',
  });
  const json = await r.json().catch(() => null);
  // A dead token: block as signed out, unless Vigil already said why (a revoke message).
  if (r.status === 401 && (await getState())) await intervene('not_signed_in');
  if (!r.ok) throw new Error(json?.error?.code ?? `http_${r.status}`);
  return json;
}

/** Every event is queued first (encrypted, sequenced) and sent when Vigil can be reached. */
async function report(event) {
  if (!(await getState())) return;
  await enqueue({ ...event, at: Date.now() });
  void sendQueued();
}
async function sendQueued() {
  if (!(await getState())) return;
  await flush((events) => api('/api/v1/cockpit/events', { method: 'POST', body: { events } })).catch(
    () => {},
  );
}

async function managedByPolicy() {
  try {
    const m = await chrome.storage.managed.get(null);
    return typeof m.tenant === 'string' && m.tenant.length > 0;
  } catch {
    return false;
  }
}

async function pair(code) {
  const keys = await signingKey();
  const jwk = await crypto.subtle.exportKey('jwk', keys.publicKey);
  const r = await api('/api/v1/cockpit/pair', {
    method: 'POST',
    token: '',
    body: {
      code,
      version: VERSION,
      managed: await managedByPolicy(),
      publicKey: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
    },
  });
  await keys.store();
  await resetQueue(r.deviceId);
  await setState({ token: r.token, deviceId: r.deviceId, expiresAt: r.expiresAt, issuedAt: Date.now() });
  await chrome.storage.session.set({ lastContact: Date.now(), locked: false });
  // Removing the extension makes Chrome open this address: Vigil records it at once.
  await chrome.runtime.setUninstallURL(
    `${VIGIL_URL}/api/v1/cockpit/uninstalled?d=${r.deviceId}&s=${r.uninstallSecret}`,
  );
  await applyServerRules(await api('/api/v1/cockpit/rules'));
  connect();
}

// ---- rules from Vigil -------------------------------------------------------------------------
async function applyServerRules(msg) {
  const before = server?.tools ?? [];
  server = msg;
  const known = new Set(await knownOrigins());
  for (const t of msg.tools) for (const o of t.origins) known.add(o);
  await chrome.storage.local.set({ known: [...known] });
  await chrome.storage.session.set({ rulesMsg: msg, rulesVersion: msg.version, tools: msg.tools });
  await install();
  // A tool the agent lost (removed, disabled, role or queue) is ended in this browser.
  const lost = before.filter((t) => {
    const now = msg.tools.find((x) => x.id === t.id);
    return t.blocked !== 'not_permitted' && (!now || now.blocked === 'not_permitted');
  });
  await clearOrigins(lost.flatMap((t) => t.origins));
  restartHeartbeat();
}

async function contact() {
  await chrome.storage.session.set({ lastContact: Date.now() });
  if ((await session('locked')).locked) await unlock();
}

// ---- push channel and heartbeat ---------------------------------------------------------------
function restartHeartbeat() {
  clearInterval(pingTimer);
  pingTimer = setInterval(() => {
    if (ws?.readyState === 1) ws.send(JSON.stringify({ type: 'ping' }));
    void renew(api, getState, setState).catch(() => {});
  }, settings().heartbeatSeconds * 1000);
}

function connect() {
  clearTimeout(reconnectTimer);
  if (ws && ws.readyState <= 1) return;
  void getState().then((s) => {
    if (!s) return;
    const socket = new WebSocket(`${VIGIL_URL.replace(/^http/, 'ws')}/api/v1/cockpit/socket`);
    ws = socket;
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: 'hello', token: s.token }));
      restartHeartbeat();
    };
    socket.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg.type === 'revoke') {
        // What was queued (an outage) still reaches the audit log before the tools are ended.
        void sendQueued().finally(() =>
          intervene(msg.reason === 'not_signed_in' ? 'not_signed_in' : 'suspended'),
        );
        return;
      }
      void (async () => {
        if (msg.type === 'rules') await applyServerRules(msg);
        await contact();
        if ((await pending()) > 0) await sendQueued();
      })();
    };
    socket.onclose = () => {
      if (ws === socket) ws = null;
      reconnectTimer = setTimeout(connect, Math.min(2_000, settings().heartbeatSeconds * 1000));
    };
  });
}

// ---- fail closed ------------------------------------------------------------------------------
/** Vigil not reached for the tenant's grace: lock pages over the tools' tabs, requests blocked. */
async function lock() {
  await chrome.storage.session.set({ locked: true });
  await install();
  const known = new Set(await knownOrigins());
  const lockedTabs = {};
  for (const t of await chrome.tabs.query({})) {
    let u;
    try {
      u = new URL(t.url);
    } catch {
      continue;
    }
    if (!known.has(u.origin)) continue;
    lockedTabs[t.id] = t.url;
    const target = `${BLOCK}?r=offline&o=${encodeURIComponent(u.origin)}#${u.pathname}`;
    await chrome.tabs.update(t.id, { url: target }).catch(() => {});
  }
  await chrome.storage.session.set({ lockedTabs });
}

async function unlock() {
  const { lockedTabs = {} } = await session('lockedTabs');
  await chrome.storage.session.set({ locked: false, lockedTabs: {} });
  await install();
  for (const [id, url] of Object.entries(lockedTabs)) {
    const tab = await chrome.tabs.get(Number(id)).catch(() => null);
    if (tab?.url?.startsWith(BLOCK)) await chrome.tabs.update(tab.id, { url }).catch(() => {});
  }
}

// Calling an extension API here also keeps the MV3 worker alive while Vigil is away.
setInterval(() => {
  void session(['auth', 'lastContact', 'locked']).then(async (s) => {
    if (!s.auth) return;
    if (!ws) connect();
    const grace = settings().offlineGraceSeconds * 1000;
    if (!s.locked && Date.now() - (s.lastContact ?? 0) > grace) await lock();
  });
}, CHECK_MS);

/** Vigil ended the access: close the tools' tabs, clear their cookies and storage, block them. */
async function intervene(reason) {
  await setState(null);
  // Tool tabs under the offline lock page are the tools' tabs too.
  const { lockedTabs = {} } = await session('lockedTabs');
  await chrome.storage.session.set({ locked: false, lockedTabs: {} });
  const ids = Object.keys(lockedTabs).map(Number);
  const stillLocked = (await chrome.tabs.query({})).filter(
    (t) => ids.includes(t.id) && t.url?.startsWith(BLOCK),
  );
  if (stillLocked.length) await chrome.tabs.remove(stillLocked.map((t) => t.id)).catch(() => {});
  server = null;
  clearInterval(pingTimer);
  await install(reason);
  await clearOrigins(await knownOrigins());
  if (ws) ws.close();
}

// ---- observation (observe.js) and messages ----------------------------------------------------
observe({
  report,
  toolFor,
  isTool: async (origin) => (await knownOrigins()).includes(origin),
  verdict: (url) => verdict(installed, url),
  blockPage: BLOCK,
});

chrome.runtime.onMessage.addListener((msg, sender, respond) => {
  if (sender.id !== chrome.runtime.id) return false;
  if (msg.type === 'blocked') {
    void report({ kind: 'blocked', origin: msg.origin, path: msg.path, reason: msg.reason });
    return false;
  }
  if (msg.type === 'pair') {
    pair(msg.code).then(
      () => respond({ ok: true }),
      (e) => respond({ ok: false, error: String(e.message ?? e) }),
    );
    return true;
  }
  if (msg.type === 'signout') {
    api('/api/v1/cockpit/signout', { method: 'POST' })
      .catch(() => {})
      .then(() => intervene('not_signed_in'))
      .then(() => respond({ ok: true }));
    return true;
  }
  if (msg.type === 'status') {
    void session(['auth', 'locked']).then(async (s) =>
      respond({
        paired: !!s.auth,
        connected: ws?.readyState === 1,
        locked: !!s.locked,
        managed: await managedByPolicy(),
      }),
    );
    return true;
  }
  return false;
});

// ---- start ------------------------------------------------------------------------------------
chrome.alarms.create('cockpit-keepalive', { periodInMinutes: 1 });
chrome.alarms.onAlarm.addListener(() => connect());
void getState().then(async (s) => {
  if (s) {
    const { rulesMsg } = await session('rulesMsg');
    server = rulesMsg ?? null;
  }
  await install();
  if (s) connect();
});
