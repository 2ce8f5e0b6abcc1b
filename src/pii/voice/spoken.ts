import type { Span } from '../types.ts';
import type { MappedText } from './normalize.ts';
import { NUMBER_WORDS } from './vocabulary.ts';

// Spoken forms that the digit normalizer alone does not turn into a validated id: e-mail addresses
// read out ("anna punkt schmidt at web punkt de"), a card security code after its cue in spoken
// digits, and names spelled with a spelling alphabet (DIN 5009, ICAO/NATO, French).

const DOT = '(?:punkt|dot|point)';
const JOIN = `(?:${DOT}|unterstrich|underscore|tiret|bindestrich|minus|dash|hyphen|trait d'union)`;
const AT = '(?:at|ät|arobase|klammeraffe|@)';
const TLD = '(?:de|com|fr|net|org|ch|at|eu|io|info|be|lu|co|uk|biz)';
const WORD = '[\\p{L}\\p{N}]+';
const SPOKEN_EMAIL = new RegExp(
  `(?<![\\p{L}\\p{N}])${WORD}(?:\\s+${JOIN}\\s+${WORD}){0,4}\\s+${AT}\\s+${WORD}(?:\\s+${DOT}\\s+${WORD}){0,3}\\s+${DOT}\\s+${TLD}(?![\\p{L}\\p{N}])`,
  'giu',
);

export function recognizeSpokenEmail(text: string, out: Span[]): void {
  SPOKEN_EMAIL.lastIndex = 0;
  for (let m = SPOKEN_EMAIL.exec(text); m; m = SPOKEN_EMAIL.exec(text)) {
    out.push({ start: m.index, end: m.index + m[0].length, type: 'EMAIL', score: 0.85 });
  }
}

const CVV_CUE =
  /(?:prüfziffer|prüfnummer|prüfzahl|sicherheitscode|kartenprüfnummer|security code|card verification|verification code|cvv|cvc|cvv2|cryptogramme(?: visuel)?|code de sécurité)/giu;
const TOKEN = /[\p{L}\p{N}'’-]+/gu;
const FILLER = new Set([
  'ist',
  'is',
  'lautet',
  'est',
  'the',
  'der',
  'die',
  'das',
  'le',
  'c',
  'cest',
  'äh',
  'ähm',
  'uh',
  'um',
  'euh',
  'hinten',
  'on',
  'back',
  'au',
  'dos',
  'it',
  'its',
  'sont',
  'lautet:',
]);

/** Three or four spoken digits within a few words after a security-code cue. */
export function recognizeSpokenCvv(text: string, out: Span[]): void {
  CVV_CUE.lastIndex = 0;
  for (let cue = CVV_CUE.exec(text); cue; cue = CVV_CUE.exec(text)) {
    TOKEN.lastIndex = cue.index + cue[0].length;
    let digits = '';
    let start = -1;
    let end = -1;
    let skipped = 0;
    for (let t = TOKEN.exec(text); t && digits.length < 4; t = TOKEN.exec(text)) {
      const word = t[0].toLowerCase().replace(/[-’']/g, '');
      const value = /^\d{1,4}$/.test(word) ? word : NUMBER_WORDS.get(word);
      if (value !== undefined && digits.length + value.length <= 4) {
        if (start < 0) start = t.index;
        digits += value;
        end = t.index + t[0].length;
        continue;
      }
      if (start >= 0 || !FILLER.has(word) || ++skipped > 3) break;
    }
    if (digits.length >= 3 && start >= 0) out.push({ start, end, type: 'CARD_CVV', score: 0.9 });
  }
}

const SPELLED_RUN = /[A-ZÄÖÜ]{3,}/g;

/**
 * Names spelled letter by letter: in the normalized transcript a spelled run is a capital-letter run
 * whose original words are much longer than the letters ("S wie Samuel" -> "S").
 */
export function recognizeSpelledNames(m: MappedText, original: string, out: Span[]): void {
  SPELLED_RUN.lastIndex = 0;
  for (let r = SPELLED_RUN.exec(m.text); r; r = SPELLED_RUN.exec(m.text)) {
    const start = m.starts[r.index]!;
    const end = m.ends[r.index + r[0].length - 1]!;
    if (end - start < r[0].length * 3) continue;
    // Letters followed by digits are an id (IBAN, postcode), which the validated recognisers own.
    if (/^[ ,]*\d/.test(m.text.slice(r.index + r[0].length, r.index + r[0].length + 3))) continue;
    if (original.slice(start, end).length > 0) out.push({ start, end, type: 'PERSON', score: 0.92 });
  }
}
