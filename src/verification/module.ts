// Wiring of caller verification into the HTTP app (one call from app.ts): the service with its
// code delivery (SMTP relay, SMS gateway), the customer hooks (unlocks, contact-change guard), routes.
import type { FastifyInstance } from 'fastify';
import type { ChatService } from '../channels/chat/service.ts';
import type { Keyring } from '../crypto/index.ts';
import type { CustomerService } from '../customers/service.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/db.ts';
import {
  createRelayMailSender,
  createWebhookSmsProvider,
  loadCodePepper,
  type MailSender,
  type SmsProvider,
} from './codes.ts';
import { verificationRoutes } from './routes.ts';
import { createVerificationService } from './service.ts';

export interface VerificationModuleDeps {
  config: Pick<Config, 'dataDir' | 'smtpRelayUrl' | 'emailHostname' | 'smsWebhookUrl' | 'smsWebhookSecret'>;
  db: Database;
  audit: AuditRecorder;
  keyring: Keyring;
  customers: Pick<CustomerService, 'setUnlockResolver' | 'setContactChangeGuard'>;
  chat: Pick<ChatService, 'admit' | 'visitorFromToken'>;
  /** Overrides for embedding (otherwise from config). */
  mail?: MailSender;
  sms?: SmsProvider;
}

export function registerVerification(http: FastifyInstance, deps: VerificationModuleDeps) {
  const { config } = deps;
  const mail =
    deps.mail ??
    (config.smtpRelayUrl
      ? createRelayMailSender(config.smtpRelayUrl, `no-reply@${config.emailHostname}`)
      : undefined);
  const sms =
    deps.sms ??
    (config.smsWebhookUrl && config.smsWebhookSecret
      ? createWebhookSmsProvider(config.smsWebhookUrl, config.smsWebhookSecret)
      : undefined);
  const verification = createVerificationService({
    db: deps.db,
    audit: deps.audit,
    keyring: deps.keyring,
    pepper: loadCodePepper(config.dataDir),
    mail,
    sms,
  });
  deps.customers.setUnlockResolver(verification.unlockedFor);
  deps.customers.setContactChangeGuard(verification.requireVerified);
  verificationRoutes(http, { verification, widget: deps.chat });
  return verification;
}
