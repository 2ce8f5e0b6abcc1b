import { isIPv6 } from 'node:net';
import type { Recognizer } from '../types.ts';

// Plain digit-dot shape first (cheap), octet ranges checked in code.
const IPV4 = /(?<![\w.])\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\w]|\.\d)/g;
const OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
// Hex groups separated by colons; node:net decides whether it really is IPv6.
const IPV6_CANDIDATE = /(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])/g;

export const recognizeIp: Recognizer = (text, ctx) => {
  IPV4.lastIndex = 0;
  for (let m = IPV4.exec(text); m; m = IPV4.exec(text)) {
    if (!m[0].split('.').every((o) => OCTET.test(o))) continue;
    ctx.out.push({ start: m.index, end: m.index + m[0].length, type: 'IP_ADDRESS', score: 0.8 });
  }
  if (!text.includes(':')) return;
  IPV6_CANDIDATE.lastIndex = 0;
  for (let m = IPV6_CANDIDATE.exec(text); m; m = IPV6_CANDIDATE.exec(text)) {
    const v = m[0];
    if (!isIPv6(v)) continue;
    const groups = v.split(':').filter((g) => g.length > 0).length;
    // "12::30" is technically IPv6 but reads like a time; ask for some substance.
    if (groups < 3 && !/[a-f]/i.test(v)) continue;
    ctx.out.push({ start: m.index, end: m.index + v.length, type: 'IP_ADDRESS', score: 0.85 });
  }
};
