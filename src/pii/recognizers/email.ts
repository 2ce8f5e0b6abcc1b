import type { Recognizer } from '../types.ts';

// E-mail: find each '@' and expand over bounded local/domain alphabets by hand; a single regex with an
// unanchored local part would rescan up to 64 chars at every position.
const LOCAL = /[A-Za-z0-9._%+-]/;
const DOMAIN = /[A-Za-z0-9.-]/;
const DOMAIN_SHAPE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}$/;

export const recognizeEmail: Recognizer = (text, ctx) => {
  let at = text.indexOf('@');
  while (at >= 0) {
    let start = at;
    while (start > 0 && at - start < 64 && LOCAL.test(text[start - 1]!)) start--;
    while (start < at && text[start] === '.') start++;
    let end = at + 1;
    while (end < text.length && end - at <= 253 && DOMAIN.test(text[end]!)) end++;
    while (end > at + 1 && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
    if (start < at && end > at + 1 && DOMAIN_SHAPE.test(text.slice(at + 1, end))) {
      ctx.out.push({ start, end, type: 'EMAIL', score: 0.95 });
    }
    at = text.indexOf('@', at + 1);
  }
};
