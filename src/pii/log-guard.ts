import { ibanEndAt } from './recognizers/bank.ts';
import { findCardRanges } from './recognizers/card.ts';

// Cheap guard for every log line: drops Luhn-valid 13-19 digit runs (any issuer, with separators) and
// valid IBANs. No phone/name/context work, so it costs about one regex pass per line.

const HAS_LONG_DIGITS = /\d(?:[ -]?\d){12}/;
const IBAN_CANDIDATE = /(?<![\p{L}\d])[A-Za-z]{2} ?\d{2}(?: ?[A-Za-z0-9]){10,32}/gu;

export function guardLogText(s: string): string {
  if (s.length < 13) return s;
  const ranges: Array<[number, number, string]> = [];
  if (HAS_LONG_DIGITS.test(s))
    findCardRanges(s, false, (start, end) => ranges.push([start, end, '[PAYMENT_CARD]']));
  IBAN_CANDIDATE.lastIndex = 0;
  for (let m = IBAN_CANDIDATE.exec(s); m; m = IBAN_CANDIDATE.exec(s)) {
    const end = ibanEndAt(s, m.index, m[0]);
    if (end < 0) {
      IBAN_CANDIDATE.lastIndex = m.index + 2;
      continue;
    }
    ranges.push([m.index, end, '[IBAN]']);
    IBAN_CANDIDATE.lastIndex = end;
  }
  if (ranges.length === 0) return s;
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let cursor = 0;
  for (const [start, end, label] of ranges) {
    if (start < cursor) continue;
    out += s.slice(cursor, start) + label;
    cursor = end;
  }
  return out + s.slice(cursor);
}
