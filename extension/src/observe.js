// What the worker observes in tool origins only: page loads and SPA navigations (checked against
// the installed rules like page loads: a pushState to a forbidden path shows the block page),
// state-changing requests (POST/PUT/PATCH/DELETE from forms, fetch or XHR, with whether the rules
// let them through) and downloads. Everything leaves as origin + normalised, templated path.
import { normalizePath, templatePath } from './paths.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ALL = { urls: ['http://*/*', 'https://*/*'] };

function parse(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
  } catch {
    return null;
  }
}
const pathOf = (u) => templatePath(normalizePath(u.pathname) ?? u.pathname);

export function observe({ report, toolFor, isTool, verdict, blockPage }) {
  const lastVisit = new Map();

  async function onTabUrl(tabId, url) {
    const u = parse(url);
    if (!u || !(await isTool(u.origin))) return;
    const v = verdict(u.href);
    if (v.blocked) {
      // The network layer never saw this URL (history API): the same rules, applied here.
      lastVisit.delete(tabId);
      const target = `${blockPage}?r=${v.reason}&o=${encodeURIComponent(u.origin)}#${u.pathname}`;
      await chrome.tabs.update(tabId, { url: target }).catch(() => {});
      return;
    }
    const key = `${u.origin}${pathOf(u)}`;
    if (lastVisit.get(tabId) === key) return;
    lastVisit.set(tabId, key);
    await report({ kind: 'visit', origin: u.origin, path: pathOf(u) });
  }

  chrome.tabs.onUpdated.addListener((tabId, info, tab) => {
    if (info.status === 'complete' && tab.url) void onTabUrl(tabId, tab.url);
  });
  chrome.webNavigation.onHistoryStateUpdated.addListener((d) => {
    if (d.frameId === 0) void onTabUrl(d.tabId, d.url);
  });
  chrome.tabs.onRemoved.addListener((tabId) => lastVisit.delete(tabId));

  // ---- state-changing requests ---------------------------------------------------------------
  const seen = new Set();
  async function onAction(d, outcome) {
    if (!STATE_CHANGING.has(d.method) || seen.has(d.requestId)) return;
    const u = parse(d.url);
    if (!u || !(await isTool(u.origin))) return;
    seen.add(d.requestId);
    if (seen.size > 1000) seen.clear();
    const reason = outcome === 'blocked' ? verdict(u.href).reason : undefined;
    await report({
      kind: 'action',
      method: d.method,
      origin: u.origin,
      path: pathOf(u),
      outcome,
      ...(reason ? { reason } : {}),
    });
  }
  chrome.webRequest.onCompleted.addListener((d) => void onAction(d, 'allowed'), ALL);
  chrome.webRequest.onErrorOccurred.addListener(
    (d) => void onAction(d, d.error.includes('BLOCKED_BY_CLIENT') ? 'blocked' : 'allowed'),
    ALL,
  );
  chrome.webRequest.onBeforeRedirect.addListener((d) => {
    if (d.redirectUrl.startsWith(blockPage)) void onAction(d, 'blocked');
  }, ALL);

  // ---- downloads -----------------------------------------------------------------------------
  chrome.downloads.onCreated.addListener((item) => void onDownload(item));
  async function onDownload(item) {
    let origin = null;
    for (const candidate of [item.referrer, item.finalUrl, item.url]) {
      const u = parse(candidate);
      if (u && (await isTool(u.origin))) {
        origin = u.origin;
        break;
      }
    }
    if (!origin) return;
    const policy = toolFor(origin)?.downloadPolicy ?? 'block';
    if (policy === 'block')
      void chrome.downloads.cancel(item.id).then(() => chrome.downloads.erase({ id: item.id }));
    if (policy !== 'allow')
      await report({ kind: 'download', origin, path: pathOf(new URL(item.finalUrl || item.url)) });
  }
}
