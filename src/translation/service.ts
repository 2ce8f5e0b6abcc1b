// Agents read a customer's message in their own language and answer in the customer's: the text
// goes through the configured provider with personal data withheld (withhold.ts). Visibility of
// the conversation (queue scope, cross-tenant 404) and its read audit come from the conversation
// service; each translation adds its own audit event (ids, languages, provider, counts only).
import { auditBase } from '../ingest/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { VigilError } from '../platform/errors.ts';
import { detectLanguage } from './detect.ts';
import type { Language, TranslationProvider } from './provider.ts';
import { translateWithheld } from './withhold.ts';

interface ViewMessage {
  id: string;
  direction: string;
  kind: string;
  text: string | null;
}

/** The slice of the conversation service translation needs. */
export interface ConversationPort {
  get(ctx: TenantContext, id: string): Promise<{ id: string; messages: ViewMessage[] }>;
  reply(
    ctx: TenantContext,
    id: string,
    text: string,
  ): Promise<{ messageId: string; conversationId: string; deliveryState: string; text: string }>;
}

export interface TranslationDeps {
  provider: TranslationProvider | null;
  conversations: ConversationPort;
  audit: Pick<AuditRecorder, 'standalone'>;
}

/** The customer's language: the latest inbound message whose language can be told. */
export function customerLanguage(messages: readonly ViewMessage[]): Language | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.direction !== 'inbound' || !m.text) continue;
    const d = detectLanguage(m.text);
    if (d.language) return d.language;
  }
  return null;
}

export function createTranslationService(deps: TranslationDeps) {
  const { conversations, audit } = deps;
  const engine = () => {
    if (!deps.provider)
      throw new VigilError('translation_not_configured', 'no translation provider configured');
    return deps.provider;
  };

  const record = (
    ctx: TenantContext,
    action: string,
    conversationId: string,
    meta: Record<string, string | number>,
  ) =>
    audit.standalone({
      ...auditBase(ctx),
      action,
      resourceType: 'conversation',
      resourceId: conversationId,
      outcome: 'success',
      meta,
    });

  async function translateMessage(
    ctx: TenantContext,
    conversationId: string,
    messageId: string,
    body: { to: Language; from?: Language },
  ) {
    const provider = engine();
    const view = await conversations.get(ctx, conversationId);
    const m = view.messages.find((x) => x.id === messageId);
    if (!m) throw new VigilError('not_found', 'message not found');
    if (m.text === null) throw new VigilError('data_erased', 'the message was erased');
    const from = body.from ?? detectLanguage(m.text).language;
    if (!from) throw new VigilError('language_unknown', 'the language of the message is not known');
    const out = await translateWithheld(provider, m.text, from, body.to);
    await record(ctx, 'message.translate', conversationId, {
      messageId,
      from,
      to: body.to,
      provider: provider.name,
      withheld: out.withheld,
    });
    return {
      messageId,
      from,
      to: body.to,
      provider: provider.name,
      text: out.text,
      withheld: out.withheld,
      lost: out.lost,
    };
  }

  async function replyTranslated(
    ctx: TenantContext,
    conversationId: string,
    body: { text: string; from: Language; to?: Language },
  ) {
    const provider = engine();
    const view = await conversations.get(ctx, conversationId);
    const to = body.to ?? customerLanguage(view.messages);
    if (!to) throw new VigilError('language_unknown', "the customer's language is not known");
    const out = await translateWithheld(provider, body.text, body.from, to);
    const sent = await conversations.reply(ctx, conversationId, out.text);
    await record(ctx, 'conversation.reply_translated', conversationId, {
      messageId: sent.messageId,
      from: body.from,
      to,
      provider: provider.name,
      withheld: out.withheld,
    });
    return { ...sent, from: body.from, to, provider: provider.name, original: body.text };
  }

  async function language(ctx: TenantContext, conversationId: string) {
    const view = await conversations.get(ctx, conversationId);
    return { conversationId, language: customerLanguage(view.messages) };
  }

  return { translateMessage, replyTranslated, language, providerName: () => deps.provider?.name ?? null };
}

export type TranslationService = ReturnType<typeof createTranslationService>;
