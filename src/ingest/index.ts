// Public surface of the shared ingest pipeline (chat, voice, e-mail, agent replies and notes).
export { type ConversationEvent, createEventBus, type EventSink } from './events.ts';
export {
  type AuthorType,
  auditBase,
  type ConversationChannel,
  type CustomerRef,
  createIngest,
  hashKey,
  type Ingest,
  type IngestDeps,
  type IngestInput,
  type IngestResult,
  renderStored,
  systemContext,
  TOKEN_RE,
  withIdempotentRetry,
} from './pipeline.ts';
export { createPolicyStore, type PolicyStore } from './policy.ts';
export { cleanText, pgTextArray } from './text.ts';
