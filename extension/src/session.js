// The device key and token renewal. The ECDSA key is non-extractable: the private key never
// leaves this browser profile, so a copied token cannot be renewed elsewhere.
import { keyStore } from './keys.js';

export async function signingKey() {
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ]);
  return {
    publicKey: keys.publicKey,
    store: () => keyStore('readwrite', (s) => s.put(keys.privateKey, 'device')),
  };
}

/** A fresh token at half-life, signed with the device key (proof of possession). */
export async function renew(api, getState, setState) {
  const s = await getState();
  if (!s) return;
  const left = new Date(s.expiresAt).getTime() - Date.now();
  const total = new Date(s.expiresAt).getTime() - s.issuedAt;
  if (left > total / 2) return;
  const key = await keyStore('readonly', (st) => st.get('device'));
  const ts = Date.now();
  const sig = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    key,
    new TextEncoder().encode(`vigil-cockpit-renew:${s.deviceId}:${ts}`),
  );
  const b64 = btoa(String.fromCharCode(...new Uint8Array(sig)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  const r = await api('/api/v1/cockpit/token', { method: 'POST', body: { ts, signature: b64 } });
  await setState({ ...s, token: r.token, expiresAt: r.expiresAt, issuedAt: Date.now() });
}
