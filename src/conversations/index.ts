// What other domains may import from conversations. The contact-center wiring (module.ts) is the
// composition root's, not a domain's.
export { meaningfulReason } from './reveal-reason.ts';
export { sanitizeReason } from './service.ts';
/** One conversation's row (ids, channel, status, language) for domains reacting to its events. */
export { selectConversation as conversationRow } from './store.ts';
export { typingLimiter } from './typing.ts';
