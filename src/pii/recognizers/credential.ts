import { hasCue } from '../context.ts';
import { lowerSameLength } from '../lower.ts';
import type { Recognizer, Span } from '../types.ts';

// Secrets after a cue ("Passwort", "PIN", "mot de passe", "one-time code"), API tokens by known
// prefixes, and long high-entropy tokens.

const PASSWORD_CUE =
  /(?:passwort|kennwort|password|passwd|pwd|passphrase|mot de passe|mdp|zugangsdaten|login-daten)(?![\p{L}])/gu;
const PIN_CUE =
  /(?:pin|pin-code|pincode|code pin|tan|otp|einmalcode|einmal-code|einmalpasswort|(?:sms|login|bestätigungs|verifizierungs|sicherheits|zugangs)-?code|(?:one-time|one time|verification|confirmation|login|access|security|sms) code|code de (?:vérification|confirmation|connexion)|code (?:à usage unique|sms|d'accès))(?![\p{L}])/gu;
const CONNECTOR =
  "(?:[:=]|ist|lautet|is|est|was|war|c'est|jetzt|now|neu|new|maintenant|nouveau|auf|to|changed|geändert|changé|set|still|noch|immer|toujours|:)";
const VALUE_AFTER_CUE = new RegExp(
  `^((?:[ \\t]*${CONNECTOR}(?![\\p{L}]))*)[ \\t]*["'„“«‚]?[ \\t]*([^\\s"'“”«»‘’]{3,64})`,
  'iu',
);
const COMMON_WORDS = new Set([
  'vergessen',
  'forgot',
  'forgotten',
  'oublié',
  'reset',
  'zurücksetzen',
  'falsch',
  'wrong',
  'incorrect',
  'funktioniert',
  'works',
  'working',
  'expired',
  'abgelaufen',
  'ändern',
  'change',
  'changer',
  'not',
  'nicht',
  'pas',
  'invalid',
  'ungültig',
]);

// The leading look-behind (?<![\w-]) is checked in code: as part of the pattern it slows the scan down.
const API_KEY =
  /(?:(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,99}|gh[pousr]_[0-9A-Za-z]{36,40}|github_pat_[0-9A-Za-z_]{22,255}|(?:AKIA|ASIA)[0-9A-Z]{16}|xox[abprs]-[0-9A-Za-z-]{10,72}|glpat-[0-9A-Za-z_-]{20,40}|AIza[0-9A-Za-z_-]{35}|sk-(?:proj-)?[0-9A-Za-z_-]{20,200}|SG\.[0-9A-Za-z_-]{16,32}\.[0-9A-Za-z_-]{16,64}|npm_[0-9A-Za-z]{36}|eyJ[0-9A-Za-z_-]{8,2000}\.eyJ[0-9A-Za-z_-]{8,4000}\.[0-9A-Za-z_-]{8,2000})(?![\w-])/g;
// Long tokens: a maximal run of [A-Za-z0-9_+/-] of 24..200 chars that starts the text or follows a
// delimiter (\s " ' ( : = , ; < > [ ] { }), optionally ends in one or two '=', and is not followed by
// [\w/+=@.-]. Found with one charCode pass (a regex tried at every delimiter was the slowest pass).
const TOKEN_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+/-')
  TOKEN_CHAR[c.charCodeAt(0)] = 1;
const TOKEN_DELIMITER = /[\s"'(:=,;<>[\]{}]/;
const TOKEN_BLOCKED_AFTER = /[\w/+=@.-]/;

function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN_CHAR[c] === 1;
}

/**
 * Calls `onToken(start, end)` for every long-token match, in order. A run of 24+ token characters
 * covers one of every 24 positions, so only those positions are probed and runs are grown from there.
 */
function findLongTokens(text: string, onToken: (start: number, end: number) => void): void {
  const n = text.length;
  let done = 0;
  for (let probe = 23; probe < n; probe += 24) {
    if (!isTokenChar(text.charCodeAt(probe))) continue;
    let start = probe;
    while (start > done && isTokenChar(text.charCodeAt(start - 1))) start--;
    let i = probe + 1;
    while (i < n && isTokenChar(text.charCodeAt(i))) i++;
    done = i;
    // Continue with the first probe position at or after the run's end.
    probe = i - 1 - ((i - 1 - 23) % 24);
    const len = i - start;
    if (len < 24 || len > 200) continue;
    if (start > 0 && !TOKEN_DELIMITER.test(text[start - 1]!)) continue;
    let end = i;
    if (text.charCodeAt(end) === 61) end++;
    if (text.charCodeAt(end) === 61) end++;
    if (end < n && TOKEN_BLOCKED_AFTER.test(text[end]!)) continue;
    onToken(start, end);
  }
}

const TOKEN_CUES = [
  'token',
  'api key',
  'api-key',
  'apikey',
  'secret',
  'schlüssel',
  'clé',
  'key',
  'bearer',
  'credential',
];

function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function plausiblePassword(token: string): boolean {
  if (COMMON_WORDS.has(token.toLowerCase())) return false;
  return /\d/.test(token) || /[^\p{L}\d]/u.test(token) || /\p{Ll}\p{Lu}/u.test(token);
}

const LETTER = /\p{L}/u;
const WORD_OR_DASH = /[\w-]/;

/** Cue regexes run on the lower-cased copy (no /i, no leading look-behind: both defeat V8's fast scan). */
function valuesAfterCue(text: string, lower: string, cue: RegExp, pin: boolean, out: Span[]): void {
  cue.lastIndex = 0;
  for (let m = cue.exec(lower); m; m = cue.exec(lower)) {
    if (m.index > 0 && LETTER.test(lower[m.index - 1]!)) continue;
    const from = m.index + m[0].length;
    const v = VALUE_AFTER_CUE.exec(text.slice(from, from + 96));
    if (!v) continue;
    let token = v[2]!.replace(/[.,;:)]+$/, '');
    const hasConnector = v[1]!.trim().length > 0 || /^[ \t]*["'„“«‚]/.test(text.slice(from));
    if (pin) {
      if (!/^\d{4,8}$/.test(token)) continue;
    } else if (!hasConnector || !plausiblePassword(token)) {
      continue;
    }
    if (token.length < 3) continue;
    const start = from + v[0].length - v[2]!.length;
    token = token.slice(0, 64);
    out.push({ start, end: start + token.length, type: 'CREDENTIAL', score: pin ? 0.8 : 0.85 });
  }
}

export const recognizeCredentials: Recognizer = (text, ctx) => {
  const { out } = ctx;
  const lower = lowerSameLength(text);
  valuesAfterCue(text, lower, PASSWORD_CUE, false, out);
  valuesAfterCue(text, lower, PIN_CUE, true, out);

  API_KEY.lastIndex = 0;
  for (let m = API_KEY.exec(text); m; m = API_KEY.exec(text)) {
    if (m.index > 0 && WORD_OR_DASH.test(text[m.index - 1]!)) {
      API_KEY.lastIndex = m.index + 1;
      continue;
    }
    out.push({ start: m.index, end: m.index + m[0].length, type: 'CREDENTIAL', score: 0.95 });
  }

  findLongTokens(text, (tokenStart, end) => {
    const t = text.slice(tokenStart, end);
    if (!/[a-z]/.test(t) || !/[A-Z]/.test(t) || !/\d/.test(t)) return;
    if (shannonEntropy(t) < 4) return;
    out.push({
      start: tokenStart,
      end,
      type: 'CREDENTIAL',
      score: hasCue(text, tokenStart, end, TOKEN_CUES, 40) ? 0.85 : 0.55,
    });
  });
};
