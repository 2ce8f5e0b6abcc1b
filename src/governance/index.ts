// Privacy governance (issue 28): sub-processor register with change notices, DPIAs linked to
// live controls. One registration call from the composition root (src/runtime.ts).
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AuditEvent, AuditLog } from '../audit/index.ts';
import type { Role } from '../authz/index.ts';
import type { Keyring } from '../crypto/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database, Tx } from '../platform/db.ts';
import type { MailSender } from '../platform/mail-relay.ts';
import type { RateCounter } from '../platform/rate-limit.ts';
import { createPrivacyService } from '../privacy/index.ts';
import { createLiveControls, type LiveControlSources } from './controls.ts';
import { type Activity, createDpas } from './dpa.ts';
import { createDpias } from './dpia.ts';
import { createDsarIntake, type Lookup } from './dsar.ts';
import { createDsarMessages, type Locale, type SmsSender } from './dsar-mail.ts';
import { createPrivacyMailbox, privacyAddress } from './dsar-mailbox.ts';
import { createDsarRetention } from './dsar-retention.ts';
import { createDsarStaff } from './dsar-staff.ts';
import { createNoticeMailer } from './notify.ts';
import { createProofOfWork } from './pow.ts';
import { createReviews } from './reviews.ts';
import { dpiaRoutes } from './routes-dpia.ts';
import { dsarRoutes } from './routes-dsar.ts';
import { pageRoutes } from './routes-page.ts';
import { reviewRoutes } from './routes-reviews.ts';
import { subProcessorRoutes } from './routes-subprocessors.ts';
import { createSubProcessors } from './subprocessors.ts';

export { CONTROL_KEYS, type ControlKey, type LiveControlSources } from './controls.ts';
export { createAgreementAcceptance } from './dpa.ts';
export { privacyAddress } from './dsar-mailbox.ts';
export { DEFAULT_OBJECTION_DAYS, type SubProcessors } from './subprocessors.ts';

export interface GovernanceDeps {
  db: Database;
  audit: AuditRecorder;
  logger: Logger;
  mail: MailSender | undefined;
  consoleUrl: string;
  objectionDays?: number;
  /** Live controls a DPIA links to, read from their owning domains. */
  controls: LiveControlSources;
  /** The tenant's processing activities (compliance: Art. 30 record). */
  activities(ctx: TenantContext): Promise<Activity[]>;
  /** The live audit stream: change-triggered reviews open from it. */
  onAuditEvent(listener: (e: AuditEvent) => void): void;
  keyring: Keyring;
  auditLog: Pick<AuditLog, 'listEventsForResources'>;
  /** customers: ids of the customers with this address or phone on file (blind index). */
  findCustomerIds(tx: Tx, tenantId: string, by: Lookup): Promise<string[]>;
  /** The SMS gateway of src/verification, when configured: phone codes of the intake. */
  sms: SmsSender | undefined;
  /** The inbound SMTP host name: the privacy mailboxes are privacy+<slug>@ it. */
  emailHostname: string;
  /** Where requesters reach Vigil (the status links in mails). */
  baseUrl(): string;
  /** HMAC key of one-time codes and form challenges (the verification code pepper). */
  pepper: Buffer;
  rateCounter: Pick<RateCounter, 'hit'>;
  dsar: { powBits: number; perMinute: number; intakeRetentionDays?: number };
  /** The retention job's clock (tests move it instead of waiting). */
  now?: () => Date;
  tenancy: {
    tenantBySlug(
      slug: string,
    ): Promise<{ id: string; slug: string; name: string; status: string } | undefined>;
    listTenants(): Promise<Array<{ id: string }>>;
    membersWithRoles(
      tenantId: string,
      roles: readonly Role[],
    ): Promise<Array<{ email: string; locale: string }>>;
  };
}

export function registerGovernance(http: FastifyInstance, deps: GovernanceDeps) {
  const mailer = createNoticeMailer({
    mail: deps.mail,
    recipients: (tenantId) => deps.tenancy.membersWithRoles(tenantId, ['tenant_admin', 'dpo']),
    consoleUrl: deps.consoleUrl,
    logger: deps.logger,
  });
  const reviews = createReviews({ db: deps.db, audit: deps.audit, logger: deps.logger });
  deps.onAuditEvent(reviews.onAuditEvent);
  const subProcessors = createSubProcessors({
    db: deps.db,
    audit: deps.audit,
    mailer,
    onChange: (tenantId, kind, ref) =>
      reviews.open(tenantId, kind, ref, { action: 'sub_processor.notice' }).catch((err) => {
        deps.logger.error({ err, tenantId }, 'governance review not opened');
      }),
    ...(deps.objectionDays ? { objectionDays: deps.objectionDays } : {}),
  });
  subProcessorRoutes(http, {
    subProcessors,
    tenantIdOf: async (slug) => (await deps.tenancy.tenantBySlug(slug))?.id,
  });
  const controls = createLiveControls(deps.controls);
  const activityIds = async (ctx: TenantContext) => (await deps.activities(ctx)).map((a) => a.id);
  const dpias = createDpias({ db: deps.db, audit: deps.audit, controls, activityIds });
  dpiaRoutes(http, { dpias });
  const dpas = createDpas({
    db: deps.db,
    audit: deps.audit,
    controls,
    subProcessors,
    activities: deps.activities,
  });
  reviewRoutes(http, { reviews, dpas });
  const privacy = createPrivacyService({
    db: deps.db,
    keyring: deps.keyring,
    audit: deps.audit,
    auditLog: deps.auditLog,
  });
  const pow = createProofOfWork({ key: deps.pepper, difficulty: deps.dsar.powBits });
  const messages = createDsarMessages({ mail: deps.mail, sms: deps.sms });
  const dsar = createDsarIntake({
    db: deps.db,
    audit: deps.audit,
    keyring: deps.keyring,
    findCustomerIds: deps.findCustomerIds,
    exportSubject: privacy.exportSubject,
    messages,
    pepper: deps.pepper,
    pow,
    replay: deps.rateCounter,
    // The error's code only: a relay's message may name the recipient.
    onSendError: (e) =>
      deps.logger.warn({ err: { code: (e as { code?: string }).code } }, 'dsar code not delivered'),
  });
  const staff = createDsarStaff({ ...deps, codes: dsar.codes, messages });
  const retention = createDsarRetention({
    db: deps.db,
    audit: deps.audit,
    retentionDays: deps.dsar.intakeRetentionDays,
    logger: deps.logger,
    ...(deps.now ? { now: deps.now } : {}),
  });
  // A completed erasure purges its intake at once, after the requester heard of it.
  deps.onAuditEvent(retention.onAuditEvent((id) => staff.notifyRequesters([{ id }])));
  const smsAvailable = !!deps.sms;
  dsarRoutes(http, {
    dsar,
    staff,
    smsAvailable,
    tenantBySlug: deps.tenancy.tenantBySlug,
    issueChallenge: pow.issue,
    perMinute: deps.dsar.perMinute,
  });
  pageRoutes(http, {
    tenantBySlug: deps.tenancy.tenantBySlug,
    mailboxOf: (slug) => privacyAddress(slug, deps.emailHostname),
    smsAvailable,
    perMinute: deps.dsar.perMinute,
  });
  const mailbox = createPrivacyMailbox({
    hostname: deps.emailHostname,
    tenantBySlug: deps.tenancy.tenantBySlug,
    intake: dsar,
    messages,
    statusLink: (slug: string, token: string, locale: Locale) =>
      `${deps.baseUrl()}/privacy/${slug}/status?lang=${locale}#${token}`,
    replay: deps.rateCounter,
  });
  /**
   * Hourly under a job lease (runtime): DPOs hear of requests due within seven days, requesters
   * of a changed state; then closed intakes past retention lose their personal fields (after the
   * status mail, which needs the address).
   */
  const remindDsarDeadlines = async () => {
    const tenants = await deps.tenancy.listTenants();
    await staff.remindDue(tenants, (id) => deps.tenancy.membersWithRoles(id, ['dpo']));
    await staff.notifyRequesters(tenants);
    await retention.purgeClosed(tenants);
  };
  return { subProcessors, dpias, dsar, staff, retention, mailbox, reviews, dpas, remindDsarDeadlines };
}

export type Governance = ReturnType<typeof registerGovernance>;
