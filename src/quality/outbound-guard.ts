// Outbound guard for automated replies (bots, macros, templates): a reply that would disclose a
// personal identifier not belonging to the conversation's own customer, or a secret, is blocked
// and reported (audited, counts and types only) instead of sent.
import { type EntityType, scanText } from '../pii/index.ts';
import type { AuditEventInput } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { VigilError } from '../platform/errors.ts';

/** Identifiers that single out a person; names are left out (agents' and colleagues' names are normal). */
const IDENTIFIERS: ReadonlySet<EntityType> = new Set<EntityType>([
  'EMAIL',
  'PHONE',
  'IBAN',
  'PAYMENT_CARD',
  'DE_TAX_ID',
  'DE_PENSION_NO',
  'DE_ID_CARD',
  'PASSPORT',
  'FR_NIR',
  'UK_NINO',
  'US_SSN',
  'DATE_OF_BIRTH',
]);
/** Secrets are never sent by automation, whoever they belong to. */
const SECRETS: ReadonlySet<EntityType> = new Set<EntityType>(['CREDENTIAL', 'CARD_CVV', 'CARD_TRACK']);
const SECRET_PATTERNS = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b/,
  /\bAKIA[0-9A-Z]{16}\b/,
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/,
  /\bxox[abpr]-[A-Za-z0-9-]{10,}\b/,
  /\btok_[a-z0-9]{20}\b/,
];

const canonical = (type: EntityType, v: string) =>
  type === 'EMAIL'
    ? v.trim().toLowerCase()
    : v
        .replace(/[^0-9A-Za-z]/g, '')
        .replace(/^(?:00|0)/, '')
        .toUpperCase();

export interface GuardVerdict {
  allowed: boolean;
  /** Entity types (or "SECRET") that blocked the reply; never the values. */
  blocked: string[];
}

/** Checks a text against the identifiers the conversation's customer may receive. */
export function guardOutbound(
  text: string,
  own: { emails: readonly string[]; phones: readonly string[] },
): GuardVerdict {
  const mine = new Set([
    ...own.emails.map((e) => canonical('EMAIL', e)),
    // Phones compare on their trailing digits so +49 170… and 0170… match.
    ...own.phones.map((p) => canonical('PHONE', p).slice(-9)),
  ]);
  const blocked = new Set<string>();
  for (const s of scanText(text, { minScore: 0.4 })) {
    const value = text.slice(s.start, s.end);
    if (SECRETS.has(s.type)) blocked.add('SECRET');
    else if (s.type === 'EMAIL' && !mine.has(canonical('EMAIL', value))) blocked.add('EMAIL');
    else if (s.type === 'PHONE' && !mine.has(canonical('PHONE', value).slice(-9))) blocked.add('PHONE');
    else if (IDENTIFIERS.has(s.type) && s.type !== 'EMAIL' && s.type !== 'PHONE') blocked.add(s.type);
  }
  if (SECRET_PATTERNS.some((re) => re.test(text))) blocked.add('SECRET');
  return { allowed: blocked.size === 0, blocked: [...blocked].sort() };
}

export interface AutomatedReplyDeps {
  conversations: {
    get(ctx: TenantContext, id: string): Promise<{ id: string; customerId: string }>;
    reply(
      ctx: TenantContext,
      id: string,
      text: string,
    ): Promise<{ messageId: string; deliveryState: string }>;
  };
  customers: {
    get(
      ctx: TenantContext,
      id: string,
      opts?: { conversationId?: string },
    ): Promise<{ emails?: string[]; phones?: string[] }>;
  };
  audit: { standalone(e: AuditEventInput): Promise<void> };
  auditBase: (
    ctx: TenantContext,
  ) => Omit<AuditEventInput, 'action' | 'resourceType' | 'resourceId' | 'outcome'>;
}

export function createAutomatedReplies(deps: AutomatedReplyDeps) {
  /** Sends an automated reply through the guard; a blocked one is audited and refused (422). */
  async function send(
    ctx: TenantContext,
    conversationId: string,
    body: { text: string; source: 'bot' | 'macro' | 'template' },
  ) {
    const c = await deps.conversations.get(ctx, conversationId);
    const own = await deps.customers.get(ctx, c.customerId, { conversationId });
    const verdict = guardOutbound(body.text, { emails: own.emails ?? [], phones: own.phones ?? [] });
    if (!verdict.allowed) {
      await deps.audit.standalone({
        ...deps.auditBase(ctx),
        action: 'automation.reply.blocked',
        resourceType: 'conversation',
        resourceId: conversationId,
        outcome: 'denied',
        meta: { source: body.source, types: verdict.blocked.join(',') },
      });
      throw new VigilError('outbound_blocked', 'the automated reply would disclose protected data', {
        details: verdict.blocked.map((t) => ({ path: '/text', message: t })),
      });
    }
    const sent = await deps.conversations.reply(ctx, conversationId, body.text);
    await deps.audit.standalone({
      ...deps.auditBase(ctx),
      action: 'automation.reply.sent',
      resourceType: 'conversation',
      resourceId: conversationId,
      outcome: 'success',
      meta: { source: body.source, messageId: sent.messageId },
    });
    return { ...sent, conversationId, source: body.source };
  }
  return { send };
}

export type AutomatedReplies = ReturnType<typeof createAutomatedReplies>;
