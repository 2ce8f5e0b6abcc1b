// Quality reviews on pseudonymised conversations (issue 29).
import { createQualityFeedback } from './feedback.ts';
import { createQualityService, type QualityDeps } from './service.ts';

export { automationRoutes } from './automation-routes.ts';
export { type Csat, type CsatConversation, type CsatDeps, createCsat } from './csat.ts';
export { csatRoutes } from './csat-routes.ts';
export { createQualityFeedback, type QualityFeedback } from './feedback.ts';
export {
  type AutomatedReplies,
  createAutomatedReplies,
  type GuardVerdict,
  guardOutbound,
} from './outbound-guard.ts';
export { type ConversationView, maskText, pseudonymiseView } from './pseudonymise.ts';
export { qualityRoutes } from './routes.ts';
export { type Criterion, type Scores, scoreReview, spread, validateCriteria } from './scoring.ts';
export {
  createQualityService,
  type QualityConversationPort,
  type QualityDeps,
  type QualityService,
} from './service.ts';
export {
  createTrainingExport,
  kAnonymise,
  QUASI_IDENTIFIERS,
  strictRedact,
  type TrainingExport,
  type TrainingRecord,
} from './training-export.ts';

/** Both halves of the domain over one set of dependencies. */
export function createQuality(deps: QualityDeps) {
  const quality = createQualityService(deps);
  return { quality, feedback: createQualityFeedback(quality.core) };
}
