// Public surface of the insider-threat monitoring engine.
export type { AlertComment, AlertDetail, AlertState, AlertView } from './alerts.ts';
export { ALERT_STATES } from './alerts.ts';
export type { ActivityCounts, Clock, Detector, DetectorOptions } from './detector.ts';
export { createDetector } from './detector.ts';
export type { MailMessage, NotifyDeps, OcsfDetectionFinding, WebhookTarget } from './notify.ts';
export { SIGNATURE_HEADER, signWebhook, toOcsfDetectionFinding, verifyWebhook } from './notify.ts';
export { DEFAULT_RULES, RULE_TITLES, type RuleOverride } from './rules.ts';
export type {
  AgentActivitySummary,
  Monitor,
  MonitorConfig,
  MonitorDeps,
  MonitorStats,
  ResponseActions,
  RuleConfigView,
} from './service.ts';
export { createMonitor } from './service.ts';
export type { AlertFilters } from './store.ts';
export * from './types.ts';
