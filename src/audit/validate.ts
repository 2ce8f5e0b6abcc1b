// Input checks for audit events: ids and codes only, never personal data values. Meta values
// that look like e-mail addresses or long digit runs (phone, card, account numbers) are
// stripped and counted in `_stripped`, so a careless caller cannot leak them into the log.
import { invalidInput } from '../platform/errors.ts';
import type { AuditEventInput, AuditMeta, MetaValue } from './types.ts';

const ACTOR_TYPES = new Set(['user', 'service', 'system', 'visitor']);
const OUTCOMES = new Set(['success', 'failure', 'denied']);
const ACTION = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,3}$/;
const TYPE = /^[a-z][a-z0-9_.]{0,63}$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
const META_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const EMAIL_LIKE = /[^\s@]+@[^\s@]+\.[^\s@]+/;
// Seven or more digits, possibly split by spaces, dots, dashes or slashes.
const LONG_DIGITS = /\d(?:[\s./-]?\d){6,}/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_META_KEYS = 16;

export function looksLikePersonalData(s: string): boolean {
  if (UUID.test(s)) return false;
  return EMAIL_LIKE.test(s) || LONG_DIGITS.test(s);
}

function metaValueAllowed(v: unknown): v is MetaValue {
  if (v === null || typeof v === 'boolean') return true;
  // Counts only: a 10+ digit number is more likely a phone or account number.
  if (typeof v === 'number') return Number.isSafeInteger(v) && Math.abs(v) < 1e9;
  if (typeof v === 'string') return v.length <= 128 && !looksLikePersonalData(v);
  return false;
}

export function sanitizeMeta(meta: AuditMeta | undefined): AuditMeta {
  const out: AuditMeta = {};
  if (!meta) return out;
  let stripped = 0;
  let kept = 0;
  for (const [k, v] of Object.entries(meta)) {
    if (!META_KEY.test(k) || k === '_stripped' || kept >= MAX_META_KEYS || !metaValueAllowed(v)) {
      stripped++;
      continue;
    }
    out[k] = v;
    kept++;
  }
  if (stripped > 0) out._stripped = stripped;
  return out;
}

function optional(value: string | null | undefined, re: RegExp, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (!re.test(value))
    throw invalidInput('invalid audit event field', [{ path: field, message: 'invalid format' }]);
  return value;
}

export interface ValidEvent {
  tenantId: string | null;
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
}

export function validateEvent(e: AuditEventInput): ValidEvent {
  if (!ACTOR_TYPES.has(e.actorType))
    throw invalidInput('invalid audit event field', [{ path: 'actorType', message: 'unknown' }]);
  if (!OUTCOMES.has(e.outcome))
    throw invalidInput('invalid audit event field', [{ path: 'outcome', message: 'unknown' }]);
  if (!ACTION.test(e.action))
    throw invalidInput('invalid audit event field', [{ path: 'action', message: 'invalid format' }]);
  const reason = e.reason ?? null;
  if (reason !== null && (reason.length > 200 || looksLikePersonalData(reason))) {
    throw invalidInput('invalid audit event field', [
      { path: 'reason', message: 'too long or looks like personal data' },
    ]);
  }
  if (e.tenantId != null && !UUID.test(e.tenantId))
    throw invalidInput('invalid audit event field', [{ path: 'tenantId', message: 'not a uuid' }]);
  return {
    tenantId: e.tenantId ?? null,
    actorType: e.actorType,
    actorId: optional(e.actorId, ID, 'actorId'),
    action: e.action,
    resourceType: optional(e.resourceType, TYPE, 'resourceType'),
    resourceId: optional(e.resourceId, ID, 'resourceId'),
    outcome: e.outcome,
    reason,
    ip: optional(e.ip, /^[0-9A-Fa-f.:]{2,45}$/, 'ip'),
    uaHash: optional(e.uaHash, /^[A-Za-z0-9+/=_-]{1,128}$/, 'uaHash'),
    requestId: optional(e.requestId, ID, 'requestId'),
    meta: sanitizeMeta(e.meta),
  };
}
