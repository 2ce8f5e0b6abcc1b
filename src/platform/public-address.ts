// The public-address rule for every URL Vigil itself fetches on a tenant's or an administrator's
// say-so (audit webhooks, identity providers): the host must resolve only to public unicast
// addresses, so a configured URL cannot reach loopback, private networks, link-local (cloud
// metadata at 169.254.169.254) or other reserved ranges. Decimal, octal and hex IPv4 spellings
// (http://2130706433/) are normalised by the URL parser before the check.
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { invalidInput, VigilError } from './errors.ts';

/** What is being checked, for the fixed error messages (never the URL itself). */
export type AddressSubject = 'webhook' | 'identity provider';

export async function assertPublicAddress(url: string, subject: AddressSubject): Promise<void> {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    throw invalidInput(`invalid ${subject} url`);
  }
  const addrs = ipaddr.isValid(host)
    ? [host]
    : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addrs.length === 0) throw invalidInput(`${subject} host does not resolve`);
  for (const a of addrs) {
    if (ipaddr.process(a).range() !== 'unicast')
      throw new VigilError('address_not_public', `${subject} target must be a public address`);
  }
}

/** A fetch that applies the rule to every URL it is given (redirects are not followed). */
export function publicOnlyFetch(subject: AddressSubject): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    await assertPublicAddress(url, subject);
    return fetch(input, { ...init, redirect: 'manual' });
  };
}
