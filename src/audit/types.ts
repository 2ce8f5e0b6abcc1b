// Shapes shared by the audit writer, verifier, exporter and bundle. Events carry ids only:
// never a personal data value (names, e-mails, phone numbers, message text).

export type ActorType = 'user' | 'service' | 'system' | 'visitor';
export type Outcome = 'success' | 'failure' | 'denied';
export type MetaValue = string | number | boolean | null;
export type AuditMeta = Record<string, MetaValue>;

/** What a caller records; the writer adds seq, time and the hashes. */
export interface AuditEventInput {
  /** NULL/undefined = the platform chain. */
  tenantId?: string | null;
  actorType: ActorType;
  actorId?: string | null;
  action: string;
  resourceType?: string | null;
  resourceId?: string | null;
  outcome: Outcome;
  /** Purpose or reason, short text chosen by code (never user input). */
  reason?: string | null;
  ip?: string | null;
  uaHash?: string | null;
  requestId?: string | null;
  meta?: AuditMeta;
}

/** A stored event. Hashes are lowercase hex of 32 bytes. */
export interface AuditEvent {
  tenantId: string | null;
  seq: number;
  /** ISO 8601 UTC with milliseconds. */
  time: string;
  actorType: string;
  actorId: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  outcome: string;
  reason: string | null;
  ip: string | null;
  uaHash: string | null;
  requestId: string | null;
  meta: AuditMeta;
  prevHash: string;
  hash: string;
}

/** Ed25519 signer; the lead connects it to the key provider. */
export interface AuditSigner {
  keyId: string;
  sign(data: Buffer): Buffer;
  publicKeyPem: string;
}

export interface Checkpoint {
  tenantId: string | null;
  treeSize: number;
  /** hex */
  rootHash: string;
  time: string;
  keyId: string;
  /** base64 */
  signature: string;
}

export interface Anchor {
  tenantId: string | null;
  /** Last purged seq; the chain continues at seq + 1. */
  seq: number;
  /** hex of the event hash at seq */
  lastHash: string;
  /** hex of the compact range (concatenated 32-byte roots, largest subtree first) */
  frontier: string;
  time: string;
  keyId: string;
  signature: string;
}

export const ZERO_CHAIN = '00000000-0000-0000-0000-000000000000';
export const chainOf = (tenantId: string | null | undefined) => tenantId ?? ZERO_CHAIN;
