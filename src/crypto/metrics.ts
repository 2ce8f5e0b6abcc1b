// Counters for the keyring, as plain numbers so any metrics library can read them. Never logs:
// nothing here may carry key material, plaintext or identifiers.
export const cryptoMetrics = {
  keyCacheHits: 0,
  keyCacheMisses: 0,
  keyUnwraps: 0,
  encryptions: 0,
  decryptions: 0,
  decryptFailures: 0,
  erasedReads: 0,
  blindIndexes: 0,
};

export type CryptoMetrics = typeof cryptoMetrics;

export function resetCryptoMetrics(): void {
  for (const k of Object.keys(cryptoMetrics) as (keyof CryptoMetrics)[]) cryptoMetrics[k] = 0;
}
