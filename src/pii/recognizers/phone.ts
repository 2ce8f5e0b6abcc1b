import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Recognizer, Region } from '../types.ts';
import { followsIbanPrefix } from './card.ts';

// Phone numbers: a cheap candidate regex, then libphonenumber-js (full metadata) validates each one.
// Running libphonenumber's own text finder over everything is ~30x slower than this pre-filter.
const CANDIDATE = /(?<![\w+.,/-])(?:\+|00)?\(?\d[\d ()/.-]{4,22}\d(?![\w]|[.,]\d)/g;
const DATE_LIKE = /^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$/;
const TRUNK_PREFIX_REGIONS = new Set<Region>(['DE', 'AT', 'CH', 'FR', 'GB']);

function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/** The first character after an optional '(' (the trunk-prefix check looks at it). */
function firstDigitOf(candidate: string): string {
  return candidate[candidate[0] === '(' ? 1 : 0]!;
}

// libphonenumber validation dominates the cost; a small LRU keeps repeated numbers (the same number
// quoted again in a conversation, a message scanned for redaction and again for logging) cheap.
const VALID_CACHE_SIZE = 512;
const validCache = new Map<string, boolean>();

function validNumber(normalized: string, region: Region): boolean {
  const key = region + normalized;
  const hit = validCache.get(key);
  if (hit !== undefined) {
    validCache.delete(key);
    validCache.set(key, hit);
    return hit;
  }
  const valid = parsePhoneNumberFromString(normalized, region)?.isValid() === true;
  if (validCache.size >= VALID_CACHE_SIZE) validCache.delete(validCache.keys().next().value!);
  validCache.set(key, valid);
  return valid;
}

// A North American number written the North American way ("(555) 123-4567", "202-555-0147") is a phone
// number in any tenant region; libphonenumber calls the 555 range possible, not valid.
const NANP_SHAPE = /^(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}$/;

function nanpScore(candidate: string): number {
  if (!NANP_SHAPE.test(candidate) || /^\(?[01]/.test(candidate)) return 0;
  return parsePhoneNumberFromString(candidate, 'US')?.isPossible() === true ? 0.6 : 0;
}

/** Score for a candidate string or 0 when it is not a valid number for the region. */
export function phoneScore(candidate: string, region: Region): number {
  const digits = digitCount(candidate);
  if (digits < 7 || digits > 15 || DATE_LIKE.test(candidate)) return 0;
  const nanp = nanpScore(candidate);
  if (nanp > 0 && (region !== 'US' || !validNumber(candidate, 'US'))) return nanp;
  const international = candidate.startsWith('+') || candidate.startsWith('00');
  if (!international) {
    const first = firstDigitOf(candidate);
    // National numbers in Europe carry the trunk prefix 0; NANP numbers are 10 digits not starting 0/1.
    if (TRUNK_PREFIX_REGIONS.has(region) ? first !== '0' : digits !== 10 || first === '0' || first === '1')
      return 0;
  }
  const normalized = candidate.startsWith('00') ? `+${candidate.slice(2)}` : candidate;
  if (!validNumber(normalized, region)) return 0;
  const separated = /[ ()/.-]/.test(candidate);
  return international ? 0.85 : separated ? 0.75 : 0.65;
}

const TRAILING_GROUP = /[ /.-]\d+\)?$/;
// An extension right after the number belongs to it: "x89", "ext. 12", "Durchwahl 34", "poste 5".
const EXTENSION = /^ ?(?:x|ext\.?|extension|Durchwahl|DW|Dw\.|poste|#) ?-?\d{1,6}(?![\w])/iy;

function withExtension(text: string, end: number): number {
  EXTENSION.lastIndex = 0;
  const m = EXTENSION.exec(text.slice(end, end + 24));
  return m ? end + m[0].length : end;
}

export const recognizePhone: Recognizer = (text, ctx) => {
  const trunkPrefix = TRUNK_PREFIX_REGIONS.has(ctx.region);
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m; m = CANDIDATE.exec(text)) {
    let candidate = m[0];
    // Dropping trailing groups keeps the start, so a national number without trunk prefix never scores.
    if (
      trunkPrefix &&
      candidate[0] !== '+' &&
      !candidate.startsWith('00') &&
      firstDigitOf(candidate) !== '0' &&
      !NANP_SHAPE.test(candidate)
    )
      continue;
    if (followsIbanPrefix(text, m.index)) continue;
    // Try the whole candidate, then drop trailing groups: "0171 1234567 2 Stück" or a glued suffix number.
    for (let attempt = 0; attempt < 3; attempt++) {
      const score = phoneScore(candidate, ctx.region);
      if (score > 0) {
        const end = withExtension(text, m.index + candidate.length);
        ctx.out.push({ start: m.index, end, type: 'PHONE', score });
        break;
      }
      const cut = candidate.search(TRAILING_GROUP);
      if (cut <= 0) break;
      candidate = candidate.slice(0, cut);
    }
  }
};
