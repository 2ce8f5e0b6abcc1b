// Public API of the tamper-evident audit log (issue 6).
export { type AuditBundle, exportAuditBundle } from './bundle.ts';
export { createChainCheckpoint, createCheckpointsForAllChains, scheduleCheckpoints } from './checkpoints.ts';
export { runAuditVerifyCli } from './cli.ts';
export { type AuditExporter, createAuditExporter, type ExporterOptions } from './exporter.ts';
export { type AuditLog, createAuditLog, type EventFilters, type EventPage } from './log.ts';
export {
  CompactRange,
  consistencyPath,
  inclusionPath,
  merkleRoot,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';
export { OCSF_VERSION, toOcsf } from './ocsf.ts';
export type { ConsistencyProof, InclusionProof } from './proofs.ts';
export { type PurgeResult, purgeAuditEvents } from './retention.ts';
export { generateAuditSigner } from './signing.ts';
export { createFileSink } from './sinks/file.ts';
export { createNatsSink } from './sinks/nats.ts';
export type { AuditSink } from './sinks/types.ts';
export { createWebhookSink } from './sinks/webhook.ts';
export type * from './types.ts';
export { type ChainReport, type VerifyOptions, type VerifyReport, verifyAuditLog } from './verify.ts';
export { ChainVerifier, type TamperKind } from './verify-core.ts';
