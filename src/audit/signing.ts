// Messages signed for checkpoints (signed tree heads) and retention anchors. Plain text with one
// field per line, like a transparency-log checkpoint note, so a client can rebuild it with any
// language. tools/verify-audit-bundle.mjs re-implements these: change both or neither.
import { createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { type AuditSigner, chainOf } from './types.ts';

export function checkpointMessage(
  tenantId: string | null,
  treeSize: number,
  rootHex: string,
  time: string,
): Buffer {
  return Buffer.from(
    `vigil-audit-checkpoint/v1\n${chainOf(tenantId)}\n${treeSize}\n${rootHex}\n${time}\n`,
    'utf8',
  );
}

export function anchorMessage(
  tenantId: string | null,
  seq: number,
  lastHashHex: string,
  frontierHex: string,
  time: string,
): Buffer {
  return Buffer.from(
    `vigil-audit-anchor/v1\n${chainOf(tenantId)}\n${seq}\n${lastHashHex}\n${frontierHex}\n${time}\n`,
    'utf8',
  );
}

const keyCache = new Map<string, KeyObject>();

export function verifySignature(publicKeyPem: string, message: Buffer, signature: Buffer): boolean {
  let key = keyCache.get(publicKeyPem);
  if (!key) {
    key = createPublicKey(publicKeyPem);
    keyCache.set(publicKeyPem, key);
  }
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** An in-process Ed25519 signer (tests, benchmarks, single-node demo). */
export function generateAuditSigner(keyId = 'audit-test'): AuditSigner {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    keyId,
    sign: (data) => sign(null, data, privateKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
