import { luhnValid } from '../checksums.ts';
import { hasCue } from '../context.ts';
import { lowerSameLength } from '../lower.ts';
import type { Recognizer, RecognizerContext, Span } from '../types.ts';

// Payment cards: runs of digit groups separated by single spaces/hyphens; every window of consecutive
// groups holding 13-19 digits is checked with Luhn and issuer ranges, so "4111 1111 1111 1111 123"
// still yields the card and leaves the trailing group alone.

const DIGIT_RUN = /\d{1,19}(?:[ -]\d{1,19}){0,24}/g;
const RUN_BLOCKED_BEFORE = /[\p{L}\d.,/]/u;

export function issuerKnown(d: string): boolean {
  const len = d.length;
  const p2 = Number(d.slice(0, 2));
  const p3 = Number(d.slice(0, 3));
  const p4 = Number(d.slice(0, 4));
  if (d[0] === '4') return len === 13 || len === 16 || len === 19; // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return len === 16; // Mastercard
  if (p2 === 34 || p2 === 37) return len === 15; // Amex
  if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65) return len >= 16; // Discover
  if (p4 >= 3528 && p4 <= 3589) return len >= 16; // JCB
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) return len >= 14; // Diners
  if (p2 === 62) return len >= 16; // UnionPay
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return len >= 13; // Maestro
  return false;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Whether `start` follows an IBAN's country code and check digits: /[A-Za-z]{2}\d{2} ?$/. */
export function followsIbanPrefix(text: string, start: number): boolean {
  const e = text.charCodeAt(start - 1) === 32 ? start - 1 : start;
  return (
    e >= 4 &&
    isDigit(text.charCodeAt(e - 1)) &&
    isDigit(text.charCodeAt(e - 2)) &&
    isAsciiLetter(text.charCodeAt(e - 3)) &&
    isAsciiLetter(text.charCodeAt(e - 4))
  );
}

interface Group {
  start: number;
  end: number;
}

function groupsOf(run: string, offset: number): Group[] {
  const groups: Group[] = [];
  let start = -1;
  for (let i = 0; i <= run.length; i++) {
    const c = run.charCodeAt(i);
    const digit = c >= 48 && c <= 57;
    if (digit && start < 0) start = i;
    else if (!digit && start >= 0) {
      groups.push({ start: offset + start, end: offset + i });
      start = -1;
    }
  }
  return groups;
}

/** Card-shaped digit ranges; the log guard skips the issuer check to err on the side of dropping. */
export function findCardRanges(
  text: string,
  requireIssuer: boolean,
  onCard: (start: number, end: number, score: number) => void,
): void {
  DIGIT_RUN.lastIndex = 0;
  for (let m = DIGIT_RUN.exec(text); m; m = DIGIT_RUN.exec(text)) {
    if (m[0].length < 13) continue;
    if (m.index > 0 && RUN_BLOCKED_BEFORE.test(text[m.index - 1]!)) continue;
    // A run glued to letters or more digits ("...1111EUR", the middle of a 40-digit run) is not a card.
    const after = text[m.index + m[0].length];
    if (after !== undefined && /[\p{L}\d]/u.test(after)) continue;
    // Digits of a (mistyped) IBAN are not a card: "DE53 0418 9471 5824 5408 06".
    if (followsIbanPrefix(text, m.index)) continue;
    const groups = groupsOf(m[0], m.index);
    let i = 0;
    while (i < groups.length) {
      let digits = '';
      let best = -1;
      for (let j = i; j < groups.length; j++) {
        digits += text.slice(groups[j]!.start, groups[j]!.end);
        if (digits.length > 19) break;
        if (digits.length >= 13 && luhnValid(digits) && (!requireIssuer || issuerKnown(digits))) best = j;
      }
      if (best >= 0) {
        const first = groups[i]!;
        const last = groups[best]!;
        const grouped = best > i;
        onCard(first.start, last.end, grouped || i === 0 ? 0.8 : 0.7);
        i = best + 1;
      } else {
        i++;
      }
    }
  }
}

const EXPIRY = /(?<![\d/.-])(0[1-9]|1[0-2]) ?[/-] ?(\d{2}|20\d{2})(?![\d/]|\.\d)/g;
const EXPIRY_CUES = [
  'gültig',
  'gueltig',
  'ablauf',
  'läuft',
  'verfall',
  'exp',
  'valid',
  'validité',
  "jusqu'",
  'date de fin',
  'échéance',
];

const CVV_CUE =
  /(?:cvv2?|cvc2?|cvn|kartenprüfnummer|prüfnummer|prüfziffer|sicherheitscode|security code|card verification code|cryptogramme(?: visuel)?|code de sécurité|code de securite|code cvv)(?![\p{L}])/gu;
const CVV_VALUE = /^[^\d\n]{0,24}?(?<!\d)(\d{3,4})(?![\d])/;

function nearCard(out: readonly Span[], start: number, maxGap: number): boolean {
  for (let k = out.length - 1; k >= 0; k--) {
    const s = out[k]!;
    if (s.type === 'PAYMENT_CARD' && s.end <= start && start - s.end <= maxGap) return true;
  }
  return false;
}

export const recognizeCards: Recognizer = (text: string, ctx: RecognizerContext) => {
  const { out } = ctx;
  findCardRanges(text, true, (start, end, score) => out.push({ start, end, type: 'PAYMENT_CARD', score }));

  EXPIRY.lastIndex = 0;
  for (let m = EXPIRY.exec(text); m; m = EXPIRY.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    let score = 0.2;
    if (hasCue(text, start, end, EXPIRY_CUES, 32)) score = 0.85;
    else if (nearCard(out, start, 48)) score = 0.7;
    out.push({ start, end, type: 'CARD_EXPIRY', score });
  }

  // Cue search on the lower-cased copy: no /i and no leading look-behind keeps the scan fast.
  const lower = lowerSameLength(text);
  CVV_CUE.lastIndex = 0;
  for (let m = CVV_CUE.exec(lower); m; m = CVV_CUE.exec(lower)) {
    if (m.index > 0 && /\p{L}/u.test(lower[m.index - 1]!)) continue;
    const from = m.index + m[0].length;
    const v = CVV_VALUE.exec(text.slice(from, from + 40));
    if (!v) continue;
    const start = from + v.index + v[0].length - v[1]!.length;
    const end = start + v[1]!.length;
    // Part of a longer grouped number ("4111 1111 ...") is not a CVV.
    if (/^[ -]\d/.test(text.slice(end, end + 2)) || /\d[ -]$/.test(text.slice(Math.max(0, start - 2), start)))
      continue;
    out.push({ start, end, type: 'CARD_CVV', score: 0.9 });
  }
};
