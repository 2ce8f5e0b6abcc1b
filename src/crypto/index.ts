// Encryption at rest: key hierarchy (KEK -> tenant DEK -> subject key), envelope encryption,
// blind indexes, rotation, crypto-shredding with an erasure ledger, platform secrets.

export { BLIND_INDEX_BYTES, type BlindIndexKind, normalizeForIndex } from './blind-index.ts';
export { decodeEnvelope, type EnvelopeHeader, type KeyScope } from './envelope.ts';
export {
  createKeyring,
  type FieldContext,
  type Keyring,
  type KeyringOptions,
  type ShredResult,
} from './keyring.ts';
export {
  appendErasure,
  type ErasureEntry,
  type ErasureMark,
  erasureLedgerPath,
  type ReplayResult,
  type ReplaySubjectErasure,
  readErasureLedger,
  replayErasureLedger,
} from './ledger.ts';
export { createLocalKeyProvider, type LocalKeyProviderOptions, masterKeyPath } from './local-provider.ts';
export {
  type KeyStatus,
  keyStatus,
  type RotateMasterKeyOptions,
  type RotateMasterKeyResult,
  rotateMasterKey,
  type TenantKeyStatus,
} from './master-key.ts';
export { type CryptoMetrics, cryptoMetrics, resetCryptoMetrics } from './metrics.ts';
export type { KeyProvider, WrappedKey } from './provider.ts';
export {
  type EncryptedColumn,
  listEncryptedColumns,
  registerEncryptedColumn,
  unregisterEncryptedColumn,
} from './registry.ts';
export {
  type RotateTenantKeyOptions,
  type RotationProgress,
  rotateTenantKey,
  runRotationJob,
} from './rotation.ts';
export { createVaultTransitProvider, type VaultTransitOptions } from './vault-provider.ts';
