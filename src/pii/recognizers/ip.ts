import { isIPv6 } from 'node:net';
import type { Recognizer } from '../types.ts';

// Plain digit-dot shape first (cheap), octet ranges checked in code.
const IPV4 = /(?<![\w.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)/g;
const OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
// Hex groups separated by colons; node:net decides whether it really is IPv6.
// Tried only where a match can start (sticky): the hex run of at most 4 before each ':' (or the ':' itself).
// Tried at every position, the optional leading hex group made this the slowest pass over plain text.
const IPV6_CANDIDATE = /(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])/y;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

export const recognizeIp: Recognizer = (text, ctx) => {
  IPV4.lastIndex = 0;
  for (let m = IPV4.exec(text); m; m = IPV4.exec(text)) {
    if (!m[0].split('.').every((o) => OCTET.test(o))) continue;
    ctx.out.push({ start: m.index, end: m.index + m[0].length, type: 'IP_ADDRESS', score: 0.8 });
  }
  if (!text.includes(':')) return;
  let searchFrom = 0;
  for (let colon = text.indexOf(':'); colon >= 0; colon = text.indexOf(':', colon + 1)) {
    // A match starts at the beginning of the hex run before this colon (look-behind: no \w or ':').
    let start = colon;
    while (start > 0 && colon - start < 5 && isHex(text.charCodeAt(start - 1))) start--;
    if (start < searchFrom || colon - start > 4) continue;
    if (start > 0) {
      const before = text.charCodeAt(start - 1);
      // Look-behind (?<![\w:]) checked first; "ab:ab:ab:..." would otherwise run the pattern per colon.
      if (
        before === 58 ||
        before === 95 ||
        isHex(before) ||
        (before >= 71 && before <= 90) ||
        (before >= 103 && before <= 122)
      )
        continue;
    }
    IPV6_CANDIDATE.lastIndex = start;
    const m = IPV6_CANDIDATE.exec(text);
    if (!m) continue;
    const v = m[0];
    searchFrom = start + v.length;
    colon = searchFrom - 1;
    if (!isIPv6(v)) continue;
    const groups = v.split(':').filter((g) => g.length > 0).length;
    // "12::30" is technically IPv6 but reads like a time; ask for some substance.
    if (groups < 3 && !/[a-f]/i.test(v)) continue;
    ctx.out.push({ start, end: start + v.length, type: 'IP_ADDRESS', score: 0.85 });
  }
};
