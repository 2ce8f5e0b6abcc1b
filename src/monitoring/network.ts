// Network ranges and pseudonymous keys. Addresses are personal data, so the engine keys state
// and alerts by a keyed hash of the range, never the address itself.
import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

function expandIPv6(ip: string): string[] | null {
  const [head, tail, extra] = ip.split('::');
  if (extra !== undefined) return null;
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - h.length - t.length;
  if (missing < 0) return null;
  const groups = [...h, ...Array<string>(missing).fill('0'), ...t];
  return groups.length === 8 ? groups.map((g) => Number.parseInt(g, 16).toString(16)) : null;
}

/**
 * The range an address belongs to: /24 for IPv4, /48 for IPv6 (one site). `fine` narrows to the
 * single IPv4 address or the IPv6 /64, which one attacker controls, for per-source login limits.
 */
export function ipRange(ip: string, fine = false): string | null {
  let addr = ip.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  if (mapped) addr = mapped[1]!;
  if (isIPv4(addr)) {
    if (fine) return `${addr}/32`;
    const o = addr.split('.');
    return `${o[0]}.${o[1]}.${o[2]}.0/24`;
  }
  if (isIPv6(addr)) {
    if (addr.includes('.')) return null; // embedded IPv4 forms other than mapped: not expected
    const g = expandIPv6(addr.replace(/%.*$/, ''));
    if (!g) return null;
    return fine ? `${g.slice(0, 4).join(':')}::/64` : `${g.slice(0, 3).join(':')}::/48`;
  }
  return null;
}

/** Keyed, truncated hash: stable across restarts for the same key, not reversible by lookup table. */
export function pseudonym(key: string, value: string): string {
  return createHmac('sha256', key).update(value).digest('hex').slice(0, 32);
}
