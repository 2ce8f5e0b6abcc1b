// KEK provider backed by HashiCorp Vault's Transit engine: the KEK never leaves Vault. Data keys
// are sent to /encrypt and stored as the returned "vault:vN:..." string (as bytes). The wrapped
// key's binding to its tenant and version is enforced by the keyring (HKDF over that context),
// so this provider does not rely on Transit's optional associated_data support.
import { VigilError } from '../platform/errors.ts';
import type { KeyProvider, WrappedKey } from './provider.ts';

export interface VaultTransitOptions {
  /** e.g. https://vault.internal:8200 */
  address: string;
  token: string;
  keyName: string;
  mount?: string;
  namespace?: string;
  timeoutMs?: number;
}

const unavailable = (message: string, cause?: unknown) =>
  new VigilError('key_unavailable', message, cause === undefined ? {} : { cause });

export function parseVaultCiphertext(ciphertext: string): number {
  const m = /^vault:v(\d+):[A-Za-z0-9+/=]+$/.exec(ciphertext);
  if (!m) throw unavailable('vault transit returned an unexpected ciphertext');
  return Number(m[1]);
}

export function createVaultTransitProvider(opts: VaultTransitOptions): KeyProvider {
  const base = `${opts.address.replace(/\/+$/, '')}/v1/${opts.mount ?? 'transit'}`;
  const name = encodeURIComponent(opts.keyName);

  async function call(
    method: 'GET' | 'POST',
    path: string,
    body?: object,
  ): Promise<Record<string, unknown> | undefined> {
    const headers: Record<string, string> = { 'X-Vault-Token': opts.token };
    if (opts.namespace) headers['X-Vault-Namespace'] = opts.namespace;
    if (body) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${base}/${path}`, {
        method,
        headers,
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
      });
    } catch (e) {
      throw unavailable('vault transit is unreachable', e);
    }
    const text = await res.text();
    // Vault's own error strings describe the request, never our key material; we still keep
    // them out of the message and only report the status.
    if (res.status === 401 || res.status === 403) throw unavailable('vault transit refused the token');
    if (res.status === 404) throw unavailable('vault transit key not found');
    if (res.status === 204) return undefined;
    if (!res.ok) throw unavailable(`vault transit request failed with status ${res.status}`);
    try {
      return ((JSON.parse(text) as { data?: Record<string, unknown> }).data ?? {}) as Record<string, unknown>;
    } catch {
      throw unavailable('vault transit returned a malformed response');
    }
  }

  const ciphertextOf = (data: Record<string, unknown> | undefined): WrappedKey => {
    const c = data?.ciphertext;
    if (typeof c !== 'string') throw unavailable('vault transit returned no ciphertext');
    return { wrapped: Buffer.from(c, 'utf8'), kekVersion: parseVaultCiphertext(c) };
  };

  const currentVersion = async () => {
    const data = await call('GET', `keys/${name}`);
    const v = data?.latest_version;
    if (typeof v !== 'number') throw unavailable('vault transit returned no key version');
    return v;
  };

  return {
    id: `vault-transit:${opts.keyName}`,
    wrapKey: async (key) =>
      ciphertextOf(await call('POST', `encrypt/${name}`, { plaintext: key.toString('base64') })),
    unwrapKey: async (w) => {
      const data = await call('POST', `decrypt/${name}`, { ciphertext: w.wrapped.toString('utf8') });
      const p = data?.plaintext;
      if (typeof p !== 'string') throw unavailable('vault transit returned no plaintext');
      return Buffer.from(p, 'base64');
    },
    rewrapKey: async (w) =>
      ciphertextOf(await call('POST', `rewrap/${name}`, { ciphertext: w.wrapped.toString('utf8') })),
    rotate: async () => {
      await call('POST', `keys/${name}/rotate`, {});
      return currentVersion();
    },
    currentVersion,
  };
}
