import { lowerSameLength } from '../lower.ts';
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
// Cues are searched first on the lower-cased text (cheap literal scan); dates are only parsed in a
// short window after ("geboren am 12.03.1985") or right before ("am 12.03.1985 geboren") a cue.
const DOB_CUE =
  /geboren|geburtsdatum|geburtstag|geb\.|geb am|born|birth|dob|d\.o\.b| né le| née le| né\(e\)|naissance| né en| née en/g;
const BOUNDARY = /[.!?]\s+\p{Lu}|\n/u;
const WINDOW = 40;

export const recognizeDateOfBirth: Recognizer = (text, ctx) => {
  const lower = lowerSameLength(text);
  DOB_CUE.lastIndex = 0;
  for (let c = DOB_CUE.exec(lower); c; c = DOB_CUE.exec(lower)) {
    const cueEnd = c.index + c[0].length;
    // Date after the cue, in the same sentence.
    const after = text.slice(cueEnd, cueEnd + WINDOW + 30);
    DATE.lastIndex = 0;
    const m = DATE.exec(after);
    if (m && m.index <= WINDOW && !BOUNDARY.test(after.slice(0, m.index))) {
      ctx.out.push({
        start: cueEnd + m.index,
        end: cueEnd + m.index + m[0].length,
        type: 'DATE_OF_BIRTH',
        score: 0.85,
      });
      continue;
    }
    // Date right before the cue ("am 12. Januar 1960 geboren").
    const from = Math.max(0, c.index - WINDOW);
    const before = text.slice(from, c.index);
    DATE.lastIndex = 0;
    for (let d = DATE.exec(before); d; d = DATE.exec(before)) {
      if (/^[\s,)(]{0,3}$/.test(before.slice(d.index + d[0].length))) {
        ctx.out.push({
          start: from + d.index,
          end: from + d.index + d[0].length,
          type: 'DATE_OF_BIRTH',
          score: 0.85,
        });
      }
    }
  }
};
