import { hasCue } from '../context.ts';
import type { Recognizer } from '../types.ts';

// Dates are only birthdays when a cue says so ("geboren am", "date of birth", "né le"); every other date
// (deliveries, invoices) stays a low-score candidate that the default threshold drops.
const MONTHS =
  'Januar|Jänner|Februar|März|Maerz|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|' +
  'January|February|March|May|June|July|October|December|' +
  'janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre';
const DATE = new RegExp(
  [
    '(?<![\\d./-])(?:0?[1-9]|[12]\\d|3[01])([./-])(?:0?[1-9]|1[0-2])\\1(?:19|20)?\\d{2}(?![\\d./-]\\d)',
    '(?<![\\d./-])(?:19|20)\\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])(?![\\d])',
    `(?<![\\d])(?:0?[1-9]|[12]\\d|3[01])(?:\\.|er)? (?:${MONTHS}) (?:19|20)\\d{2}(?![\\d])`,
    `(?<![\\p{L}])(?:${MONTHS}) (?:0?[1-9]|[12]\\d|3[01])(?:st|nd|rd|th)?,? (?:19|20)\\d{2}(?![\\d])`,
  ].join('|'),
  'gu',
);
const DOB_CUES = [
  'geboren', 'geburtsdatum', 'geburtstag', 'geb.', 'geb am', 'born', 'birth', 'dob', 'd.o.b', ' né le', ' née le',
  ' né(e)', 'naissance', ' né en', ' née en',
];

// "Ich bin am 12. Januar 1960 geboren." puts the cue after the date.
const AFTER_CUE = /^[\s,)]{0,3}(?:geboren|born|\(dob\)|\(geb\.?\))/i;
const BOUNDARY = /[.!?]\s+(?=\p{Lu})|\n/gu;

/** Index just after the last sentence boundary, so a cue in the previous sentence does not count. */
function lastSentenceBoundary(s: string): number {
  let last = 0;
  BOUNDARY.lastIndex = 0;
  for (let m = BOUNDARY.exec(s); m; m = BOUNDARY.exec(s)) last = m.index + m[0].length;
  return last;
}

export const recognizeDateOfBirth: Recognizer = (text, ctx) => {
  DATE.lastIndex = 0;
  let previousEnd = 0;
  for (let m = DATE.exec(text); m; m = DATE.exec(text)) {
    const end = m.index + m[0].length;
    // The cue must belong to this date: "geboren am 12.03.1985, Lieferung am 14.05.2024" flags one.
    const before = text.slice(Math.max(previousEnd, m.index - 36), m.index);
    const sentenceStart = lastSentenceBoundary(before);
    const cued =
      hasCue(text, m.index, end, DOB_CUES, before.length - sentenceStart) ||
      AFTER_CUE.test(text.slice(end, end + 16));
    previousEnd = end;
    ctx.out.push({ start: m.index, end, type: 'DATE_OF_BIRTH', score: cued ? 0.85 : 0.1 });
  }
};
