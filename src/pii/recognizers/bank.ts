import { getCountrySpecifications, isValidBIC, isValidIBAN } from 'ibantools';
import { hasCue } from '../context.ts';
import { digitRuns } from '../digits.ts';
import type { Recognizer } from '../types.ts';

// IBAN: a country code + check digits followed by up to 30 alphanumerics with optional single spaces.
// The country's registered length decides where the IBAN ends, then ibantools validates mod-97 and BBAN.
// Sticky: the check digits start a digit run, so only the two letters (and space) before each run are tried.
const IBAN_CANDIDATE = /(?<![\p{L}\d])[A-Za-z]{2} ?\d{2}(?: ?[A-Za-z0-9]){10,32}/uy;

function asciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
const IBAN_LENGTH = new Map<string, number>();
for (const [cc, spec] of Object.entries(getCountrySpecifications()))
  if (spec.chars) IBAN_LENGTH.set(cc, spec.chars);

const BIC_CANDIDATE = /(?<![\p{L}\d])[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?(?![\p{L}\d])/gu;
const BIC_CUES = ['bic', 'swift'];

/** Finds the IBAN starting at `start`; returns its end offset or -1. */
export function ibanEndAt(text: string, start: number, candidate: string): number {
  const country = candidate.slice(0, 2).toUpperCase();
  const length = IBAN_LENGTH.get(country);
  if (!length) return -1;
  let compact = '';
  let i = 0;
  for (; i < candidate.length && compact.length < length; i++) {
    const c = candidate[i]!;
    if (c !== ' ') compact += c.toUpperCase();
  }
  if (compact.length !== length || !isValidIBAN(compact)) return -1;
  const end = start + i;
  if (/[\p{L}\d]/u.test(text[end] ?? ' ')) return -1;
  return end;
}

export const recognizeBank: Recognizer = (text, ctx) => {
  const runs = digitRuns(text);
  let searchFrom = 0;
  for (let r = 0; r < runs.length; r += 2) {
    const digits = runs[r]!;
    if (runs[r + 1]! - digits < 2) continue;
    const start = text.charCodeAt(digits - 1) === 32 ? digits - 3 : digits - 2;
    if (
      start < searchFrom ||
      !asciiLetter(text.charCodeAt(start)) ||
      !asciiLetter(text.charCodeAt(start + 1))
    )
      continue;
    IBAN_CANDIDATE.lastIndex = start;
    const m = IBAN_CANDIDATE.exec(text);
    if (!m) continue;
    const end = ibanEndAt(text, start, m[0]);
    // On failure retry right after the country code so "XX DE89..." style overlaps do not hide an IBAN.
    if (end < 0) {
      searchFrom = start + 2;
      continue;
    }
    ctx.out.push({ start, end, type: 'IBAN', score: 0.95 });
    searchFrom = end;
  }

  BIC_CANDIDATE.lastIndex = 0;
  for (let m = BIC_CANDIDATE.exec(text); m; m = BIC_CANDIDATE.exec(text)) {
    if (!isValidBIC(m[0])) continue;
    const end = m.index + m[0].length;
    const cued = hasCue(text, m.index, end, BIC_CUES, 32);
    ctx.out.push({ start: m.index, end, type: 'BIC', score: cued ? 0.85 : 0.3 });
  }
};
