import { digitRuns } from '../digits.ts';
import type { Recognizer, Span } from '../types.ts';
import { collectExtraParts, LOWER_GAP } from './address-parts.ts';

// Postal addresses are assembled from parts (street line, postcode + city, UK postcode, US state + ZIP).
// Adjacent parts merge into one span; a lone postcode + city is weak because German nouns are
// capitalised ("1000 Stück"), a lone street line with house number is fairly specific.
// Every repetition is bounded so a huge word cannot cause quadratic backtracking.

const WORD = '[\\p{Lu}][\\p{Ll}ß]{1,24}';
const DE_SUFFIX = '(?:straße|strasse|str\\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee|steig|pfad|markt)';
const DE_STREET = new RegExp(
  `(?<![\\p{L}])(?:(?:${WORD}[ -]){0,2}(?:[\\p{Lu}][\\p{Ll}ß]{0,24})?${DE_SUFFIX}|(?:${WORD}[ -]){1,2}(?:Straße|Strasse|Str\\.|Weg|Gasse|Platz|Allee|Ring|Damm|Ufer|Chaussee|Markt))` +
    ' {1,2}\\d{1,4}(?: ?[a-h])?(?![\\p{L}\\d])',
  'gu',
);
const EN_STREET = new RegExp(
  `(?<![\\w])\\d{1,5}[A-Za-z]? (?:${WORD} ){1,3}(?:Street|St\\.?|Road|Rd\\.?|Avenue|Ave\\.?|Lane|Ln\\.?|Drive|Close|Way|Court|Boulevard|Blvd\\.?|Place|Terrace|Crescent|Gardens|Square|Row|Parkway|Mews)(?![\\p{L}])`,
  'gu',
);
const FR_STREET = new RegExp(
  `(?<![\\w])\\d{1,4}(?: ?(?:bis|ter))?,? (?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Bb]d|[Pp]lace|[Ii]mpasse|[Aa]llée|[Cc]hemin|[Qq]uai|[Rr]oute|[Cc]ours|[Pp]assage)` +
    ` (?:(?:de|du|des|la|le|l'|d'|l’|d’) ?){0,2}[\\p{Lu}][\\p{L}'’-]{1,24}(?: [\\p{Lu}][\\p{L}'’-]{1,24}){0,2}`,
  'gu',
);
const CITY = `${WORD}(?:[ -](?:(?:am|an|der|im|in|sur|sous|en|le|la|les|de|du|lès)[ -])?${WORD}){0,2}`;
// Sticky: tried only at a 4-5 digit run followed by a space (or the 'D-'/'CH-' prefix before it).
const POSTCODE_CITY = new RegExp(`(?<![\\w-])(?:(?:D|A|CH|F)-)?\\d{4,5} ${CITY}`, 'uy');
// Sticky, tried before digit runs only: the first digit of a postcode starts a run after 1-2 capitals.
const UK_POSTCODE = /(?<![\w])[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}(?![\w])/y;
// Sticky, tried before 5-digit runs that follow two capitals and a space.
const US_STATE_ZIP =
  /(?<![\w])(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[TA]|W[AVIY]) \d{5}(?:-\d{4})?(?![\w])/y;

const GAP = /^[ \t]*(?:,|\r?\n)?[ \t]*(?:(?:[\p{Lu}][\p{L}.'’-]{1,24}[ ]?){1,3},?[ \t]*(?:\r?\n)?[ \t]*)?$/u;

interface Part {
  start: number;
  end: number;
  score: number;
}

// German street keywords; an anchor is a keyword, one or two spaces and a digit. Found from the digit
// runs (the keyword must end right before the spaces) instead of trying the keywords at every position.
const DE_KEYWORDS = [
  'straße',
  'strasse',
  'str.',
  'weg',
  'gasse',
  'platz',
  'allee',
  'ring',
  'damm',
  'ufer',
  'chaussee',
  'steig',
  'pfad',
  'markt',
  'Straße',
  'Strasse',
  'Str.',
  'Weg',
  'Gasse',
  'Platz',
  'Allee',
  'Ring',
  'Damm',
  'Ufer',
  'Chaussee',
  'Markt',
];
const DE_KEYWORD_LAST = new Set(DE_KEYWORDS.map((k) => k.charCodeAt(k.length - 1)));

/** Anchors as [index, length] pairs, ascending; same matches as a global keyword regex would find. */
function germanAnchors(text: string): number[] {
  const anchors: number[] = [];
  const runs = digitRuns(text);
  for (let r = 0; r < runs.length; r += 2) {
    const digit = runs[r]!;
    let spaces = 0;
    while (spaces < 3 && text.charCodeAt(digit - 1 - spaces) === 32) spaces++;
    if (spaces === 0 || spaces > 2) continue;
    const end = digit - spaces;
    if (!DE_KEYWORD_LAST.has(text.charCodeAt(end - 1))) continue;
    let longest = 0;
    for (const k of DE_KEYWORDS)
      if (k.length > longest && end - k.length >= 0 && text.startsWith(k, end - k.length)) longest = k.length;
    if (longest > 0) anchors.push(end - longest, longest + spaces + 1);
  }
  return anchors;
}
const EN_ANCHOR =
  / (?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Close|Way|Court|Boulevard|Blvd\.?|Place|Terrace|Crescent|Gardens|Square|Row|Parkway|Mews)(?![\p{L}])/gu;
const FR_ANCHOR =
  / (?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Bb]d|[Pp]lace|[Ii]mpasse|[Aa]llée|[Cc]hemin|[Qq]uai|[Rr]oute|[Cc]ours|[Pp]assage) /g;

/**
 * Street patterns start at any capitalised word, which is slow over long text. Instead find the rare
 * street keyword first and run the full pattern only on a window around it.
 */
function collectAnchored(
  anchor: RegExp | number[],
  full: RegExp,
  text: string,
  before: number,
  after: number,
  score: number,
  parts: Part[],
): void {
  let coveredUntil = -1;
  const visit = (index: number, length: number) => {
    const from = Math.max(0, index - before);
    const window = text.slice(from, Math.min(text.length, index + length + after));
    full.lastIndex = 0;
    for (let m = full.exec(window); m; m = full.exec(window)) {
      const start = from + m.index;
      const end = start + m[0].length;
      if (start <= index + length && end >= index && end > coveredUntil) {
        parts.push({ start, end, score });
        coveredUntil = end;
      }
    }
  };
  if (Array.isArray(anchor)) {
    for (let k = 0; k < anchor.length; k += 2) visit(anchor[k]!, anchor[k + 1]!);
    return;
  }
  anchor.lastIndex = 0;
  for (let a = anchor.exec(text); a; a = anchor.exec(text)) visit(a.index, a[0].length);
}

/** POSTCODE_CITY matches: their digits are a whole 4-5 digit run, so only runs are tried. */
function collectPostcodes(text: string, score: number, parts: Part[]): void {
  const runs = digitRuns(text);
  let coveredUntil = 0;
  for (let r = 0; r < runs.length; r += 2) {
    const start = runs[r]!;
    const end = runs[r + 1]!;
    const len = end - start;
    if (len < 4 || len > 5 || text.charCodeAt(end) !== 32) continue;
    for (let p = start - 3; p <= start; p++) {
      if (p < coveredUntil || (p < start && p !== start - 3 && p !== start - 2)) continue;
      POSTCODE_CITY.lastIndex = p;
      const m = POSTCODE_CITY.exec(text);
      if (!m) continue;
      parts.push({ start: p, end: p + m[0].length, score });
      coveredUntil = p + m[0].length;
      break;
    }
  }
}

function wordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function upper(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** UK postcodes and US state + ZIP, both of which start right before a digit run. */
function collectUkUs(text: string, parts: Part[]): void {
  const runs = digitRuns(text);
  let ukFrom = 0;
  let usFrom = 0;
  for (let r = 0; r < runs.length; r += 2) {
    const digits = runs[r]!;
    if (upper(text.charCodeAt(digits - 1))) {
      const start = upper(text.charCodeAt(digits - 2)) ? digits - 2 : digits - 1;
      // The look-behind (?<![\w]) checked before running the pattern ("aB3aB3..." has a run every 3 chars).
      if (start >= ukFrom && !wordChar(text.charCodeAt(start - 1))) {
        UK_POSTCODE.lastIndex = start;
        const m = UK_POSTCODE.exec(text);
        if (m) {
          ukFrom = start + m[0].length;
          parts.push({ start, end: ukFrom, score: 0.55 });
        }
      }
    } else if (runs[r + 1]! - digits === 5 && text.charCodeAt(digits - 1) === 32 && digits - 3 >= usFrom) {
      US_STATE_ZIP.lastIndex = digits - 3;
      const m = US_STATE_ZIP.exec(text);
      if (m) {
        usFrom = digits - 3 + m[0].length;
        parts.push({ start: digits - 3, end: usFrom, score: 0.45 });
      }
    }
  }
}

function gapJoins(gap: string): boolean {
  return GAP.test(gap) || LOWER_GAP.test(gap);
}

function mergeParts(text: string, parts: Part[], out: Span[]): void {
  parts.sort((a, b) => a.start - b.start || b.end - a.end);
  let cur: Part | undefined;
  let count = 0;
  const flush = () => {
    if (cur)
      out.push({
        start: cur.start,
        end: cur.end,
        type: 'POSTAL_ADDRESS',
        score: count > 1 ? Math.min(0.95, cur.score + 0.3) : cur.score,
      });
  };
  for (const p of parts) {
    if (cur && p.start < cur.end) {
      if (p.end > cur.end) cur.end = p.end;
      cur.score = Math.max(cur.score, p.score);
      continue;
    }
    if (cur && p.start - cur.end <= 48 && gapJoins(text.slice(cur.end, p.start))) {
      cur = { start: cur.start, end: p.end, score: Math.max(cur.score, p.score) };
      count++;
      continue;
    }
    flush();
    cur = { ...p };
    count = 1;
  }
  flush();
}

export const recognizeAddress: Recognizer = (text, ctx) => {
  const parts: Part[] = [];
  collectAnchored(germanAnchors(text), DE_STREET, text, 80, 8, 0.65, parts);
  collectAnchored(EN_ANCHOR, EN_STREET, text, 100, 2, 0.65, parts);
  collectAnchored(FR_ANCHOR, FR_STREET, text, 14, 100, 0.65, parts);
  collectPostcodes(text, 0.35, parts);
  collectUkUs(text, parts);
  collectExtraParts(text, parts);
  if (parts.length > 0) mergeParts(text, parts, ctx.out);
};
