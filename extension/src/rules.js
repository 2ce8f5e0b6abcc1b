// Rule sets the worker installs as declarativeNetRequest dynamic rules, and the same rules
// evaluated here for URLs the network layer never sees (history.pushState/replaceState).
// Ids: fallback 1..999, Vigil's compiled rules from 1000, Vigil itself 999_999, offline lock 500_000+.
import { VIGIL_URL } from './config.js';

export const BLOCK = chrome.runtime.getURL('block.html');
export const esc = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const SUBRESOURCES = [
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
];
const FRAMES = ['main_frame', 'sub_frame'];

/** Every given origin blocked with a reason, at a priority (1: loses to Vigil's rules). */
export function blockOrigins(origins, reason, { priority = 1, startId = 1 } = {}) {
  return origins.flatMap((origin, i) => {
    const regexFilter = `^${esc(origin)}(/[^?#]*)?(?:[?#].*)?$`;
    const target = `${BLOCK}?r=${reason}&o=${encodeURIComponent(origin)}#\\1`;
    return [
      {
        id: startId + i * 2,
        priority,
        action: { type: 'redirect', redirect: { regexSubstitution: target } },
        condition: { regexFilter, resourceTypes: FRAMES, isUrlFilterCaseSensitive: false },
      },
      {
        id: startId + i * 2 + 1,
        priority,
        action: { type: 'block' },
        condition: { regexFilter, resourceTypes: SUBRESOURCES, isUrlFilterCaseSensitive: false },
      },
    ];
  });
}

/** Vigil stays reachable whatever a tenant decides about sites outside the catalogue. */
const vigilAllowed = () => ({
  id: 999_999,
  priority: 3,
  action: { type: 'allow' },
  condition: { regexFilter: `^${esc(VIGIL_URL)}/`, resourceTypes: FRAMES },
});

/** A compiled rule from Vigil, with this extension's block page and the tool origin filled in. */
function fromServer(rule, origins) {
  const r = structuredClone(rule);
  if (r.action.type === 'redirect') {
    const origin = origins.find((o) => r.condition.regexFilter.startsWith(`^${esc(o)}(`)) ?? '';
    r.action.redirect.regexSubstitution = r.action.redirect.regexSubstitution
      .replace('{{BLOCK}}', BLOCK)
      .replace('#\\1', `&o=${encodeURIComponent(origin)}#\\1`);
  }
  return r;
}

/**
 * The whole rule set for a state: not paired (every known tool origin blocked), paired (Vigil's
 * rules over a blocked fallback), locked (paired, with every tool origin blocked on top).
 */
export function ruleSet({ paired, reason, server, known, locked }) {
  if (!paired) return blockOrigins(known, reason);
  const origins = server ? server.tools.flatMap((t) => t.origins) : [];
  const rules = [
    ...blockOrigins(known, 'not_permitted'),
    ...(server?.rules ?? []).map((r) => fromServer(r, origins)),
    vigilAllowed(),
  ];
  if (locked) rules.push(...blockOrigins(known, 'offline', { priority: 10_000, startId: 500_000 }));
  return rules;
}

/**
 * What the installed rules do to a top-level navigation to url: { blocked, reason } from the
 * highest-priority matching frame rule (allow beats a redirect of the same priority, like DNR).
 */
export function verdict(rules, url) {
  let best = null;
  for (const r of rules) {
    if (!r.condition.resourceTypes?.includes('main_frame')) continue;
    if (!['allow', 'redirect', 'block'].includes(r.action.type)) continue;
    if (!new RegExp(r.condition.regexFilter, 'i').test(url)) continue;
    const better =
      !best ||
      r.priority > best.priority ||
      (r.priority === best.priority && r.action.type === 'allow' && best.action.type !== 'allow');
    if (better) best = r;
  }
  if (!best || best.action.type === 'allow') return { blocked: false };
  const sub = best.action.redirect?.regexSubstitution ?? '';
  return { blocked: true, reason: /[?&]r=([a-z_]+)/.exec(sub)?.[1] ?? 'not_permitted' };
}
