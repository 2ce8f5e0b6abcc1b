// Vigil Cockpit service worker. Holds a short-lived, device-bound token (chrome.storage.session:
// memory only), applies the rules Vigil compiles as declarativeNetRequest dynamic rules, keeps a
// WebSocket to Vigil for pushed rule changes and interventions, reports navigation (origin and
// templated path), blocked attempts and downloads. No page content is ever read.
import { TOOL_ORIGINS, VIGIL_URL } from './config.js';
import { templatePath } from './paths.js';

const VERSION = chrome.runtime.getManifest().version;
const BLOCK = chrome.runtime.getURL('block.html');
const PING_MS = 20_000;
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

let ws = null;
let pingTimer = null;
let reconnectTimer = null;
let tools = []; // [{ id, origins, downloadPolicy, blocked }]
const lastVisit = new Map();

// ---- state ------------------------------------------------------------------------------------
const getState = async () => (await chrome.storage.session.get('auth')).auth ?? null;
const setState = (auth) =>
  auth ? chrome.storage.session.set({ auth }) : chrome.storage.session.remove('auth');

function idb() {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open('vigil-cockpit', 1);
    r.onupgradeneeded = () => r.result.createObjectStore('keys');
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}
async function keyStore(mode, fn) {
  const db = await idb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction('keys', mode);
    const req = fn(tx.objectStore('keys'));
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// ---- rules ------------------------------------------------------------------------------------
/** Every catalogued origin is blocked unless Vigil's rules allow it (priority 1 loses to all). */
function fallbackRules(reason, startId = 1) {
  return TOOL_ORIGINS.flatMap((origin, i) => {
    const regexFilter = `^${esc(origin)}(/[^?#]*)?(?:[?#].*)?$`;
    return [
      {
        id: startId + i * 2,
        priority: 1,
        action: {
          type: 'redirect',
          redirect: { regexSubstitution: `${BLOCK}?r=${reason}&o=${encodeURIComponent(origin)}#\\1` },
        },
        condition: { regexFilter, resourceTypes: ['main_frame', 'sub_frame'] },
      },
      {
        id: startId + i * 2 + 1,
        priority: 1,
        action: { type: 'block' },
        condition: {
          regexFilter,
          resourceTypes: [
            'xmlhttprequest',
            'script',
            'image',
            'media',
            'font',
            'stylesheet',
            'object',
            'ping',
            'websocket',
            'other',
          ],
        },
      },
    ];
  });
}

async function setRules(rules) {
  const old = await chrome.declarativeNetRequest.getDynamicRules();
  await chrome.declarativeNetRequest.updateDynamicRules({
    removeRuleIds: old.map((r) => r.id),
    addRules: rules,
  });
}

function fromServer(rule, toolOrigin) {
  const r = structuredClone(rule);
  if (r.action.type === 'redirect') {
    r.action.redirect.regexSubstitution = r.action.redirect.regexSubstitution
      .replace('{{BLOCK}}', BLOCK)
      .replace('#\\1', `&o=${encodeURIComponent(toolOrigin)}#\\1`);
  }
  return r;
}

async function applyServerRules(msg) {
  tools = msg.tools;
  const originOfRule = (rule) =>
    TOOL_ORIGINS.find((o) => rule.condition.regexFilter.startsWith(`^${esc(o)}`)) ?? '';
  const rules = [...fallbackRules('not_permitted'), ...msg.rules.map((r) => fromServer(r, originOfRule(r)))];
  await setRules(rules);
  await chrome.storage.session.set({ rulesVersion: msg.version, tools });
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

async function report(event) {
  if (!(await getState())) return;
  await api('/api/v1/cockpit/events', { method: 'POST', body: { events: [event] } }).catch(() => {});
}

async function pair(code) {
  // Non-extractable: the private key never leaves this browser profile, so a copied token
  // cannot be renewed elsewhere.
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ]);
  const jwk = await crypto.subtle.exportKey('jwk', keys.publicKey);
  const r = await api('/api/v1/cockpit/pair', {
    method: 'POST',
    token: '',
    body: { code, version: VERSION, publicKey: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } },
  });
  await keyStore('readwrite', (s) => s.put(keys.privateKey, 'device'));
  await setState({ token: r.token, deviceId: r.deviceId, expiresAt: r.expiresAt, issuedAt: Date.now() });
  // Removing the extension makes Chrome open this address: Vigil records it at once.
  await chrome.runtime.setUninstallURL(
    `${VIGIL_URL}/api/v1/cockpit/uninstalled?d=${r.deviceId}&s=${r.uninstallSecret}`,
  );
  await applyServerRules(await api('/api/v1/cockpit/rules'));
  connect();
}

async function renewIfDue() {
  const s = await getState();
  if (!s) return;
  const left = new Date(s.expiresAt).getTime() - Date.now();
  const total = new Date(s.expiresAt).getTime() - s.issuedAt;
  if (left > total / 2) return;
  const key = await keyStore('readonly', (st) => st.get('device'));
  const ts = Date.now();
  const sig = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    key,
    new TextEncoder().encode(`vigil-cockpit-renew:${s.deviceId}:${ts}`),
  );
  const b64 = btoa(String.fromCharCode(...new Uint8Array(sig)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  const r = await api('/api/v1/cockpit/token', { method: 'POST', body: { ts, signature: b64 } });
  await setState({ ...s, token: r.token, expiresAt: r.expiresAt, issuedAt: Date.now() });
}

// ---- push channel -----------------------------------------------------------------------------
function connect() {
  clearTimeout(reconnectTimer);
  if (ws && ws.readyState <= 1) return;
  void getState().then((s) => {
    if (!s) return;
    const socket = new WebSocket(`${VIGIL_URL.replace(/^http/, 'ws')}/api/v1/cockpit/socket`);
    ws = socket;
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: 'hello', token: s.token }));
      clearInterval(pingTimer);
      // Traffic on the socket also keeps the MV3 service worker alive (Chrome 116+).
      pingTimer = setInterval(() => {
        if (socket.readyState === 1) socket.send(JSON.stringify({ type: 'ping' }));
        void renewIfDue().catch(() => {});
      }, PING_MS);
    };
    socket.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg.type === 'rules') void applyServerRules(msg);
      else if (msg.type === 'revoke')
        void intervene(msg.reason === 'not_signed_in' ? 'not_signed_in' : 'suspended');
    };
    socket.onclose = () => {
      clearInterval(pingTimer);
      if (ws === socket) ws = null;
      reconnectTimer = setTimeout(connect, 2_000);
    };
  });
}

/** Vigil ended the access: close the tools' tabs, clear their cookies and storage, block them. */
async function intervene(reason) {
  await setState(null);
  tools = [];
  await setRules(fallbackRules(reason));
  const patterns = TOOL_ORIGINS.map((o) => `${o}/*`);
  const tabs = await chrome.tabs.query({ url: patterns });
  await Promise.all([
    tabs.length ? chrome.tabs.remove(tabs.map((t) => t.id)) : null,
    chrome.browsingData.remove(
      { origins: TOOL_ORIGINS },
      {
        cookies: true,
        localStorage: true,
        indexedDB: true,
        cacheStorage: true,
        serviceWorkers: true,
        fileSystems: true,
      },
    ),
  ]);
  if (ws) ws.close();
}

// ---- observation ------------------------------------------------------------------------------
const toolFor = (origin) => tools.find((t) => t.origins.includes(origin));

chrome.tabs.onUpdated.addListener((tabId, info, tab) => {
  // tab.url is only visible for catalogued origins (host permissions), nothing else.
  if (info.status !== 'complete' || !tab.url) return;
  let u;
  try {
    u = new URL(tab.url);
  } catch {
    return;
  }
  if (!TOOL_ORIGINS.includes(u.origin)) return;
  const path = templatePath(u.pathname);
  const key = `${u.origin}${path}`;
  if (lastVisit.get(tabId) === key) return;
  lastVisit.set(tabId, key);
  void report({ kind: 'visit', origin: u.origin, path });
});
chrome.tabs.onRemoved.addListener((tabId) => lastVisit.delete(tabId));

chrome.downloads.onCreated.addListener((item) => {
  let origin = null;
  for (const candidate of [item.referrer, item.finalUrl, item.url]) {
    try {
      const o = new URL(candidate).origin;
      if (TOOL_ORIGINS.includes(o)) {
        origin = o;
        break;
      }
    } catch {}
  }
  if (!origin) return;
  const tool = toolFor(origin);
  const policy = tool?.downloadPolicy ?? 'block';
  if (policy === 'block')
    void chrome.downloads.cancel(item.id).then(() => chrome.downloads.erase({ id: item.id }));
  if (policy !== 'allow')
    void report({
      kind: 'download',
      origin,
      path: templatePath(new URL(item.finalUrl || item.url).pathname),
    });
});

chrome.runtime.onMessage.addListener((msg, sender, respond) => {
  if (sender.id !== chrome.runtime.id) return false;
  if (msg.type === 'blocked') {
    void report({ kind: 'blocked', origin: msg.origin, path: templatePath(msg.path), reason: msg.reason });
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
    void getState().then((s) => respond({ paired: !!s, connected: ws?.readyState === 1 }));
    return true;
  }
  return false;
});

// ---- start ------------------------------------------------------------------------------------
chrome.alarms.create('cockpit-keepalive', { periodInMinutes: 1 });
chrome.alarms.onAlarm.addListener(() => {
  connect();
  void renewIfDue().catch(() => {});
});
void getState().then(async (s) => {
  if (!s) await setRules(fallbackRules('not_signed_in'));
  else connect();
});
