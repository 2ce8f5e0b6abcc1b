// Public API of the PII / payment-data detection and redaction engine. Standalone: no Vigil imports.

export type { EvalReport, GoldSpan, Sample } from './evaluate.ts';
export { evaluate } from './evaluate.ts';
export { guardLogText } from './log-guard.ts';
export type { Finding, PolicyHooks } from './operators.ts';
export { applyPolicy, maskValue, pseudonym } from './operators.ts';
export type { ChannelPolicy, EntityRule, Operator, PiiPolicy } from './policy.ts';
export { defaultPolicy, enforcePci, OPERATORS, ruleFor, validatePolicy } from './policy.ts';
export { redactForLog } from './redact.ts';
export type { ScanTextOptions } from './scan.ts';
export { DEFAULT_MIN_SCORE, scanText } from './scan.ts';
export type { Channel, EntityType, Lang, Region, ScanOptions, Span } from './types.ts';
export { ENTITY_TYPES, isEntityType } from './types.ts';
