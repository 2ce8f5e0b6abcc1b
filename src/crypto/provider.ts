// The root of the key hierarchy. A KeyProvider holds the key-encryption key (KEK) outside the
// database and wraps/unwraps data keys with it. `context` binds a wrapped key to its owner
// (tenant and version), where the provider supports associated data.

export interface WrappedKey {
  wrapped: Buffer;
  kekVersion: number;
}

export interface KeyProvider {
  /** Stored with each wrapped key (kek_id), e.g. 'local' or 'vault-transit:vigil'. */
  readonly id: string;
  wrapKey(key: Buffer, context: string): Promise<WrappedKey>;
  unwrapKey(key: WrappedKey, context: string): Promise<Buffer>;
  /** Re-encrypts a wrapped key under the current KEK version without exposing it to the caller. */
  rewrapKey(key: WrappedKey, context: string): Promise<WrappedKey>;
  /** Adds a new KEK version and makes it current; returns it. */
  rotate(): Promise<number>;
  currentVersion(): Promise<number>;
}
