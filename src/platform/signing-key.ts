// The Ed25519 key that signs audit checkpoints. Like the master key it lives outside the
// database: VIGIL_AUDIT_SIGNING_KEY (PKCS#8 PEM) or <dataDir>/keys/audit-signing.pem (mode 0600).
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CheckpointSigner {
  keyId: string;
  publicKeyPem: string;
  sign(data: Buffer): Buffer;
}

export function signerFromKey(privateKey: KeyObject): CheckpointSigner {
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const keyId = createHash('sha256').update(publicKeyPem).digest('hex').slice(0, 16);
  return { keyId, publicKeyPem, sign: (data) => sign(null, data, privateKey) };
}

export function loadCheckpointSigner(
  dataDir: string,
  envPem = process.env.VIGIL_AUDIT_SIGNING_KEY,
): CheckpointSigner {
  if (envPem) return signerFromKey(createPrivateKey(envPem));
  const dir = join(dataDir, 'keys');
  const file = join(dir, 'audit-signing.pem');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  }
  return signerFromKey(createPrivateKey(readFileSync(file)));
}
