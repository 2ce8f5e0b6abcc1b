// Wiring of payment capture into the HTTP app (one call from app.ts): the configured provider,
// the service, routes, and the guard that refuses transcript segments while capture pauses a call.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ChatService } from '../channels/chat/service.ts';
import type { Keyring } from '../crypto/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { Config } from '../platform/config.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { paramOf } from '../platform/http-schemas.ts';
import { createRelayMailSender, type MailSender } from '../platform/mail-relay.ts';
import { contactOf } from '../verification/contact.ts';
import type { PaymentProvider } from './provider.ts';
import { paymentRoutes } from './routes.ts';
import { createPaymentService } from './service.ts';
import { createTestPaymentProvider } from './test-provider.ts';

export interface PaymentModuleDeps {
  config: Pick<Config, 'paymentProvider' | 'publicUrl' | 'host' | 'demo' | 'smtpRelayUrl' | 'emailHostname'>;
  db: Database;
  audit: AuditRecorder;
  keyring: Pick<Keyring, 'decryptFieldText'>;
  chat: Pick<ChatService, 'deliver'>;
  provider?: PaymentProvider;
  mail?: MailSender;
}

const TRANSCRIPT_ROUTE = '/api/v1/tenants/:tenantSlug/calls/:callId/transcript';
const CALL_END_ROUTE = '/api/v1/tenants/:tenantSlug/calls/:callId/end';

export function registerPayments(http: FastifyInstance, deps: PaymentModuleDeps) {
  const { config } = deps;
  const provider =
    deps.provider ?? (config.paymentProvider === 'test' || config.demo ? createTestPaymentProvider() : null);
  const publicUrl = () => {
    if (config.publicUrl) return config.publicUrl;
    const a = http.server.address();
    return `http://${config.host}:${typeof a === 'object' && a ? a.port : 80}`;
  };
  const mail =
    deps.mail ??
    (config.smtpRelayUrl
      ? createRelayMailSender(config.smtpRelayUrl, `no-reply@${config.emailHostname}`)
      : undefined);
  const payments = createPaymentService({
    db: deps.db,
    audit: deps.audit,
    provider,
    publicUrl,
    async deliverLink(ctx, conv, message) {
      if (conv.channel === 'chat' && conv.visitorId) {
        const live = deps.chat.deliver(ctx.tenant.id, conv.visitorId, {
          conversationId: conv.id,
          messageId: randomUUID(),
          text: message.text,
          createdAt: new Date().toISOString(),
        });
        if (live) return 'chat';
      }
      if (!mail) return null;
      const to = await deps.db.withTenant(ctx.tenant.id, (tx) =>
        contactOf(tx, deps.keyring, ctx.tenant.id, conv.customerId, 'email'),
      );
      if (!to) return null;
      try {
        await mail.send({ to, ...message });
        return 'email';
      } catch {
        return null;
      }
    },
  });
  paymentRoutes(http, { payments });

  // While a card is captured on a call, nothing the caller says may reach the transcript.
  http.addHook('preHandler', async (req) => {
    if (req.method !== 'POST' || req.routeOptions.url !== TRANSCRIPT_ROUTE) return;
    const ctx = req.ctx as TenantContext;
    const callId = paramOf(req, 'callId');
    if (ctx.tenant && callId && (await payments.recordingPausedForCall(ctx.tenant.id, callId)))
      throw new VigilError(
        'capture_in_progress',
        'recording and transcription are paused for payment capture',
      );
  });
  // A call that ends with a keypad capture pending cancels it (and ends the recording pause).
  http.addHook('onSend', async (req, reply, payload) => {
    if (req.method !== 'POST' || req.routeOptions.url !== CALL_END_ROUTE || reply.statusCode !== 200)
      return payload;
    const ctx = req.ctx as TenantContext;
    const callId = paramOf(req, 'callId');
    if (ctx.tenant && callId) await payments.callEnded(ctx, callId);
    return payload;
  });
  return payments;
}
