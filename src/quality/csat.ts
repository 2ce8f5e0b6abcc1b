// Customer satisfaction (issue 29): when a chat or e-mail conversation is resolved, the customer
// is asked for a rating from 1 to 5 — in the widget (a live prompt) or by e-mail (a link). The
// answer comes back with a signed single-use token, no login. Only the score is kept, with the
// conversation, queue and agent ids; quality sampling picks conversations by low satisfaction.
import { randomUUID } from 'node:crypto';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { Database, Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import * as store from './csat-store.ts';
import { csatTexts } from './csat-texts.ts';
import { signSurveyToken, verifySurveyToken } from './csat-token.ts';

/** What the survey needs to know of a conversation (read through the conversations domain). */
export interface CsatConversation {
  channel: string;
  status: string;
  queue_id: string | null;
  assignee_id: string | null;
  visitor_id: string | null;
  language: string | null;
  last_message_at: Date | string;
}

export interface CsatDeps {
  db: Pick<Database, 'withTenant'>;
  audit: Pick<AuditRecorder, 'inTx' | 'standalone'>;
  secret: Buffer;
  conversation: (tx: Tx, id: string) => Promise<CsatConversation | undefined>;
  /** Shows the prompt in the visitor's open widget; false when no socket took it. */
  askInWidget?: (
    tenantId: string,
    visitorId: string,
    prompt: { type: 'csat'; conversationId: string; token: string; question: string; thanks: string },
  ) => boolean;
  /** Sends the survey e-mail in the conversation's thread. */
  askByEmail?: (
    tenantId: string,
    conversationId: string,
    mail: { subject: string; text: string },
  ) => Promise<void>;
  /** Where the customer's browser reaches Vigil (links in e-mails). */
  baseUrl: () => string;
  ttlDays?: number;
  onError?: (e: unknown) => void;
}

const event = (
  tenantId: string,
  action: string,
  conversationId: string,
  meta: Record<string, string | number>,
) => ({
  tenantId,
  actorType: 'system' as const,
  actorId: null,
  ip: null,
  uaHash: null,
  requestId: randomUUID(),
  action,
  resourceType: 'conversation',
  resourceId: conversationId,
  outcome: 'success' as const,
  meta,
});

export function createCsat(deps: CsatDeps) {
  const { db, audit, secret } = deps;
  const ttlDays = deps.ttlDays ?? 14;

  /** Opens and sends a survey when the conversation is now resolved (called after every update). */
  async function onUpdated(tenantId: string, conversationId: string): Promise<'asked' | 'none'> {
    const opened = await db.withTenant(tenantId, async (tx) => {
      const c = await deps.conversation(tx, conversationId);
      if (c?.status !== 'resolved' || (c.channel !== 'chat' && c.channel !== 'email')) return null;
      const opened = await store.openSurvey(tx, {
        tenantId,
        conversationId,
        channel: c.channel,
        queueId: c.queue_id,
        agentId: c.assignee_id,
        since: c.last_message_at,
        ttlDays,
      });
      if (!opened) return null;
      await audit.inTx(tx, event(tenantId, 'csat.request', conversationId, { channel: c.channel }));
      return { ...opened, c };
    });
    if (!opened) return 'none';
    const token = signSurveyToken(secret, tenantId, opened.id, new Date(opened.expires_at));
    const t = csatTexts(opened.c.language);
    if (opened.c.channel === 'chat' && opened.c.visitor_id)
      deps.askInWidget?.(tenantId, opened.c.visitor_id, {
        type: 'csat',
        conversationId,
        token,
        question: `${t.question} (${t.scale})`,
        thanks: t.thanks,
      });
    else if (opened.c.channel === 'email' && deps.askByEmail) {
      await deps.askByEmail(tenantId, conversationId, {
        subject: t.subject,
        text: t.mailBody(`${deps.baseUrl()}/csat/${token}`),
      });
    }
    return 'asked';
  }

  /** The survey a token opens, for the rating page; throws the state the customer should see. */
  async function lookup(token: string) {
    const claims = verifySurveyToken(secret, token);
    if (!claims) throw new VigilError('csat_token_invalid', 'the survey link is not valid');
    if (claims.expired) throw new VigilError('csat_expired', 'the survey expired');
    return db.withTenant(claims.tenantId, async (tx) => {
      const s = await store.survey(tx, claims.surveyId);
      if (!s) throw new VigilError('csat_token_invalid', 'the survey link is not valid');
      const c = await deps.conversation(tx, s.conversation_id);
      if (s.answered_at) throw new VigilError('csat_answered', 'the survey was already answered');
      if (new Date(s.expires_at).getTime() <= Date.now())
        throw new VigilError('csat_expired', 'the survey expired');
      return { tenantId: claims.tenantId, survey: s, language: c?.language ?? null };
    });
  }

  /** Records the customer's rating once (audited); the token is spent afterwards. */
  async function answer(token: string, score: number) {
    if (!Number.isInteger(score) || score < 1 || score > 5)
      throw new VigilError('invalid_input', 'the score is 1 to 5');
    const { tenantId, survey, language } = await lookup(token);
    await db.withTenant(tenantId, async (tx) => {
      if (!(await store.answer(tx, survey.id, score)))
        throw new VigilError('csat_answered', 'the survey was already answered');
      await audit.inTx(tx, event(tenantId, 'csat.answer', survey.conversation_id, { score }));
    });
    return { score, language };
  }

  /** For the event bus: never throws into the write path. */
  const listener = (e: { type: string; tenantId: string; conversationId: string }) => {
    if (e.type !== 'conversation.updated') return;
    void onUpdated(e.tenantId, e.conversationId).catch((err) => deps.onError?.(err));
  };

  return { onUpdated, lookup, answer, listener };
}

export type Csat = ReturnType<typeof createCsat>;
