// CIDR allow-lists (IPv4 and IPv6). IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, what a dual-stack
// socket reports) are compared as the IPv4 address they carry.
import ipaddr from 'ipaddr.js';
import { invalidInput } from '../../platform/errors.ts';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses "a.b.c.d/n", "x::/n" or a single address (as /32 or /128); returns the canonical form. */
export function normalizeCidr(raw: string): string {
  const s = raw.trim();
  try {
    const [addr, bits] = s.includes('/')
      ? ipaddr.parseCIDR(s)
      : ((a) => [a, a.kind() === 'ipv4' ? 32 : 128])(ipaddr.parse(s));
    // The network address, so "10.1.2.3/8" is stored as "10.0.0.0/8".
    const net =
      addr.kind() === 'ipv4'
        ? ipaddr.IPv4.networkAddressFromCIDR(`${addr}/${bits}`)
        : ipaddr.IPv6.networkAddressFromCIDR(`${addr}/${bits}`);
    return `${net.toString()}/${bits}`;
  } catch {
    throw invalidInput('not a valid CIDR range', [
      { path: 'ipAllow', message: 'expected IPv4 or IPv6 CIDR' },
    ]);
  }
}

const parsed = new Map<string, Range>();
function rangeOf(cidr: string): Range {
  let r = parsed.get(cidr);
  if (!r) {
    r = ipaddr.parseCIDR(cidr) as Range;
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(cidr, r);
  }
  return r;
}

export function ipAllowed(ip: string, cidrs: readonly string[]): boolean {
  if (!ipaddr.isValid(ip)) return false;
  const addr = ipaddr.process(ip);
  return cidrs.some((c) => {
    const range = rangeOf(c);
    return addr.kind() === range[0].kind() && addr.match(range as [typeof addr, number]);
  });
}
