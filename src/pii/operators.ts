import { createHmac } from 'node:crypto';
import { type Operator, type PiiPolicy, ruleFor } from './policy.ts';
import { resolveOverlaps } from './resolve.ts';
import type { Channel, EntityType, Span } from './types.ts';

export interface PolicyHooks {
  /** Hands a value to the caller (e.g. the encrypted vault) and gets a token like `tok_...` back. */
  tokenize?(type: EntityType, value: string): Promise<string>;
  /** Per-tenant key for stable pseudonyms (HMAC-SHA-256). */
  pseudonymKey?: Buffer;
}

export interface Finding {
  type: EntityType;
  start: number;
  end: number;
  operator: Operator;
  token?: string;
}

const MASK_CHAR = '*';

/** Replaces letters/digits with '*', keeping separators and, for values of 8+ chars, the last 4. */
export function maskValue(value: string): string {
  let alnum = 0;
  for (const c of value) if (/[\p{L}\p{N}]/u.test(c)) alnum++;
  const keep = alnum >= 8 ? 4 : 0;
  let seen = 0;
  let out = '';
  for (const c of value) {
    if (/[\p{L}\p{N}]/u.test(c)) {
      seen++;
      out += seen > alnum - keep ? c : MASK_CHAR;
    } else {
      out += c;
    }
  }
  return out;
}

/** Canonical form so "DE89 3704…" and "DE8937…" or "Max  Mustermann" pseudonymize alike. */
function canonical(type: EntityType, value: string): string {
  const v = value.normalize('NFC');
  if (type === 'PERSON' || type === 'POSTAL_ADDRESS' || type === 'EMAIL')
    return v.toLowerCase().replace(/\s+/g, ' ').trim();
  return v.replace(/[\s\-./()]/g, '').toUpperCase();
}

export function pseudonym(type: EntityType, value: string, key: Buffer): string {
  const mac = createHmac('sha256', key)
    .update(`${type}\u0000${canonical(type, value)}`)
    .digest('hex');
  return `<${type}_${mac.slice(0, 8)}>`;
}

/**
 * Rewrites `text` according to the policy for `channel`. Spans below their rule's minScore are left
 * alone; missing hooks degrade tokenize/pseudonymize to redact (never to keep).
 */
export async function applyPolicy(
  text: string,
  spans: readonly Span[],
  policy: PiiPolicy,
  channel: Channel | undefined,
  hooks: PolicyHooks = {},
): Promise<{ text: string; findings: Finding[] }> {
  const selected = resolveOverlaps(
    spans.filter(
      (s) =>
        s.start >= 0 &&
        s.end <= text.length &&
        s.end > s.start &&
        s.score >= ruleFor(policy, channel, s.type).minScore,
    ),
    text.length,
  );
  const findings: Finding[] = [];
  let out = '';
  let cursor = 0;
  for (const span of selected) {
    let operator = ruleFor(policy, channel, span.type).operator;
    if (operator === 'tokenize' && !hooks.tokenize) operator = 'redact';
    if (operator === 'pseudonymize' && !hooks.pseudonymKey) operator = 'redact';
    const value = text.slice(span.start, span.end);
    let replacement = value;
    let token: string | undefined;
    switch (operator) {
      case 'redact':
        replacement = `[${span.type}]`;
        break;
      case 'mask':
        replacement = maskValue(value);
        break;
      case 'tokenize':
        token = await hooks.tokenize!(span.type, value);
        replacement = token;
        break;
      case 'pseudonymize':
        token = pseudonym(span.type, value, hooks.pseudonymKey!);
        replacement = token;
        break;
      case 'keep':
        break;
    }
    out += text.slice(cursor, span.start) + replacement;
    cursor = span.end;
    const finding: Finding = { type: span.type, start: span.start, end: span.end, operator };
    if (token !== undefined) finding.token = token;
    findings.push(finding);
  }
  out += text.slice(cursor);
  return { text: out, findings };
}
