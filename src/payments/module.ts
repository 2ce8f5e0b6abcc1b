// Wiring of payment capture into the HTTP app (one call from app.ts): the configured provider,
// the service, routes, and the guard that refuses transcript segments while capture pauses a call.
import type { FastifyInstance } from 'fastify';
import type { ConversationService } from '../conversations/service.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { Config } from '../platform/config.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import type { PaymentProvider } from './provider.ts';
import { paymentRoutes } from './routes.ts';
import { createPaymentService } from './service.ts';
import { createTestPaymentProvider } from './test-provider.ts';

export interface PaymentModuleDeps {
  config: Pick<Config, 'paymentProvider' | 'publicUrl' | 'host' | 'demo'>;
  db: Database;
  audit: AuditRecorder;
  conversations: Pick<ConversationService, 'reply'>;
  provider?: PaymentProvider;
}

const TRANSCRIPT_ROUTE = '/api/v1/tenants/:tenantSlug/calls/:callId/transcript';

export function registerPayments(http: FastifyInstance, deps: PaymentModuleDeps) {
  const { config } = deps;
  const provider =
    deps.provider ?? (config.paymentProvider === 'test' || config.demo ? createTestPaymentProvider() : null);
  const publicUrl = () => {
    if (config.publicUrl) return config.publicUrl;
    const a = http.server.address();
    return `http://${config.host}:${typeof a === 'object' && a ? a.port : 80}`;
  };
  const payments = createPaymentService({
    db: deps.db,
    audit: deps.audit,
    provider,
    publicUrl,
    reply: (ctx, id, text) => deps.conversations.reply(ctx, id, text),
  });
  paymentRoutes(http, { payments });

  // While a card is captured on a call, nothing the caller says may reach the transcript.
  http.addHook('preHandler', async (req) => {
    if (req.method !== 'POST' || req.routeOptions.url !== TRANSCRIPT_ROUTE) return;
    const ctx = req.ctx as TenantContext;
    const callId = (req.params as { callId?: string }).callId;
    if (ctx.tenant && callId && (await payments.recordingPausedForCall(ctx.tenant.id, callId)))
      throw new VigilError('capture_in_progress', 'recording and transcription are paused for payment capture');
  });
  return payments;
}
