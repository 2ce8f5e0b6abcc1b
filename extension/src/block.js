// The block page: shows a fixed, localised reason (never text from the URL) and reports the
// attempt (origin + templated path) to the service worker.
import { templatePath } from './paths.js';

const REASONS = [
  'path_forbidden',
  'path_not_allowed',
  'outside_hours',
  'not_permitted',
  'not_signed_in',
  'suspended',
  'offline',
  'path_ambiguous',
  'not_catalogued',
];
const q = new URLSearchParams(location.search);
const reason = REASONS.includes(q.get('r')) ? q.get('r') : 'not_permitted';
const origin = q.get('o') || '';
const path = templatePath(decodeURIComponent(location.hash.slice(1)) || '/');
const msg = (k) => chrome.i18n.getMessage(k) || k;

document.documentElement.lang = chrome.i18n.getUILanguage().startsWith('de') ? 'de' : 'en';
document.getElementById('title').textContent = msg('blockedTitle');
const p = document.getElementById('reason');
p.textContent = msg(`reason_${reason}`);
p.dataset.reason = reason;
document.getElementById('help').textContent = msg('blockedHelp');
// The full original address stays out of the tab's history entry.
history.replaceState(null, '', `${location.pathname}?r=${reason}`);
if (origin) chrome.runtime.sendMessage({ type: 'blocked', origin, path, reason });
