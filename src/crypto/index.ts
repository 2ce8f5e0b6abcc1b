// Encryption at rest: key hierarchy (KEK -> tenant DEK -> subject key), envelope encryption,
// blind indexes, rotation, crypto-shredding with an erasure ledger, platform secrets.
export { cryptoMetrics, resetCryptoMetrics, type CryptoMetrics } from './metrics.ts';
export type { KeyProvider, WrappedKey } from './provider.ts';
export { createLocalKeyProvider, masterKeyPath, type LocalKeyProviderOptions } from './local-provider.ts';
export { createVaultTransitProvider, type VaultTransitOptions } from './vault-provider.ts';
export { createKeyring, type Keyring, type KeyringOptions, type FieldContext, type ShredResult } from './keyring.ts';
export { type BlindIndexKind, normalizeForIndex, BLIND_INDEX_BYTES } from './blind-index.ts';
export { decodeEnvelope, type EnvelopeHeader, type KeyScope } from './envelope.ts';
export { registerEncryptedColumn, unregisterEncryptedColumn, listEncryptedColumns, type EncryptedColumn } from './registry.ts';
export {
  appendErasure,
  erasureLedgerPath,
  readErasureLedger,
  replayErasureLedger,
  type ErasureEntry,
  type ReplayResult,
} from './ledger.ts';
export { rotateTenantKey, runRotationJob, type RotateTenantKeyOptions, type RotationProgress } from './rotation.ts';
export {
  rotateMasterKey,
  keyStatus,
  type RotateMasterKeyOptions,
  type RotateMasterKeyResult,
  type KeyStatus,
  type TenantKeyStatus,
} from './master-key.ts';
export { benchCrypto, type CryptoBenchResult } from './bench.ts';
