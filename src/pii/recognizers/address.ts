import type { Recognizer, Span } from '../types.ts';

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
const POSTCODE_CITY = new RegExp(`(?<![\\w-])(?:(?:D|A|CH|F)-)?\\d{4,5} ${CITY}`, 'gu');
const UK_POSTCODE = /(?<![\w])[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}(?![\w])/g;
const US_STATE_ZIP =
  /(?<![\w])(?:A[LKZR]|C[AOT]|D[EC]|FL|GA|HI|I[DLNA]|K[SY]|LA|M[EDAINSOT]|N[EVHJMYCD]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[TA]|W[AVIY]) \d{5}(?:-\d{4})?(?![\w])/g;

const GAP = /^[ \t]*(?:,|\r?\n)?[ \t]*(?:(?:[\p{Lu}][\p{L}.'’-]{1,24}[ ]?){1,3},?[ \t]*(?:\r?\n)?[ \t]*)?$/u;

interface Part {
  start: number;
  end: number;
  score: number;
}

function collect(re: RegExp, text: string, score: number, parts: Part[]): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text))
    parts.push({ start: m.index, end: m.index + m[0].length, score });
}

const DE_ANCHOR =
  /(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee|steig|pfad|markt|Straße|Strasse|Str\.|Weg|Gasse|Platz|Allee|Ring|Damm|Ufer|Chaussee|Markt) {1,2}\d/g;
const EN_ANCHOR =
  / (?:Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Drive|Close|Way|Court|Boulevard|Blvd\.?|Place|Terrace|Crescent|Gardens|Square|Row|Parkway|Mews)(?![\p{L}])/gu;
const FR_ANCHOR =
  / (?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Bb]d|[Pp]lace|[Ii]mpasse|[Aa]llée|[Cc]hemin|[Qq]uai|[Rr]oute|[Cc]ours|[Pp]assage) /g;

/**
 * Street patterns start at any capitalised word, which is slow over long text. Instead find the rare
 * street keyword first and run the full pattern only on a window around it.
 */
function collectAnchored(
  anchor: RegExp,
  full: RegExp,
  text: string,
  before: number,
  after: number,
  score: number,
  parts: Part[],
): void {
  anchor.lastIndex = 0;
  let coveredUntil = -1;
  for (let a = anchor.exec(text); a; a = anchor.exec(text)) {
    const from = Math.max(0, a.index - before);
    const window = text.slice(from, Math.min(text.length, a.index + a[0].length + after));
    full.lastIndex = 0;
    for (let m = full.exec(window); m; m = full.exec(window)) {
      const start = from + m.index;
      const end = start + m[0].length;
      if (start <= a.index + a[0].length && end >= a.index && end > coveredUntil) {
        parts.push({ start, end, score });
        coveredUntil = end;
      }
    }
  }
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
    if (cur && p.start - cur.end <= 48 && GAP.test(text.slice(cur.end, p.start))) {
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
  collectAnchored(DE_ANCHOR, DE_STREET, text, 80, 8, 0.65, parts);
  collectAnchored(EN_ANCHOR, EN_STREET, text, 100, 2, 0.65, parts);
  collectAnchored(FR_ANCHOR, FR_STREET, text, 14, 100, 0.65, parts);
  collect(POSTCODE_CITY, text, 0.35, parts);
  collect(UK_POSTCODE, text, 0.55, parts);
  collect(US_STATE_ZIP, text, 0.45, parts);
  if (parts.length > 0) mergeParts(text, parts, ctx.out);
};
