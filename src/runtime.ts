// Start-up: config → database → migrations → keys → audit → HTTP. One function per process role.
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { type App, buildApp } from './app.ts';
import { createGroupCommitter } from './audit/group-commit.ts';
import {
  type AuditSink,
  createAuditExporter,
  createFileSink,
  createNatsSink,
  createWebhookSink,
  scheduleCheckpoints,
} from './audit/index.ts';
import { createAuditLog } from './audit/log.ts';
import { scheduleAuditRetention } from './audit/retention-job.ts';
import { createTenantSinkExporter } from './audit/tenant-sink-exporter.ts';
import type { AuditEvent } from './audit/types.ts';
import { invitationRoutes } from './auth/invitation-routes.ts';
import { createInvitations } from './auth/invitations.ts';
import type { SecretSealer } from './auth/service.ts';
import { createAwareness } from './awareness/index.ts';
import { chatFileSource, chatUploadRoutes } from './channels/chat/uploads.ts';
import { emailFileSource } from './channels/email/attachments.ts';
import { emailRoutes } from './channels/email/routes.ts';
import { createEmailService, EmailError, type EmailService } from './channels/email/service.ts';
import { type InboundSmtp, startInboundSmtp } from './channels/email/smtp.ts';
import { type ControlServer, startControlSocket } from './control/index.ts';
import { conversationRow } from './conversations/index.ts';
import { sanitizeReason } from './conversations/service.ts';
import {
  createKeyring,
  createLocalKeyProvider,
  createVaultTransitProvider,
  type KeyProvider,
  type Keyring,
} from './crypto/index.ts';
import { formatDemoLogins, seedContactCenterDemo, seedDemo } from './demo/seed.ts';
import {
  createAgreementAcceptance,
  type Governance,
  type LiveControlSources,
  registerGovernance,
} from './governance/index.ts';
import { phishingResistantPolicy } from './identity/index.ts';
import { startHttpsRedirect } from './identity/tls.ts';
import { auditBase, createPolicyStore } from './ingest/index.ts';
import {
  createClamd,
  createFileScanService,
  createQuarantineService,
  fileRescanJob,
  quarantineRoutes,
} from './malware/index.ts';
import { guardLogText } from './pii/index.ts';
import type { AuditRecorder } from './platform/audit-port.ts';
import { type ClusterBus, createClusterBus } from './platform/cluster/index.ts';
import type { Config } from './platform/config.ts';
import { type DataDirLock, lockDataDir } from './platform/data-dir-lock.ts';
import { type Database, openDatabase, pgliteDirFor } from './platform/db.ts';
import { createLeases, runLeased } from './platform/leases.ts';
import { createStdioLogDestination } from './platform/log-destination.ts';
import { createLogger } from './platform/logging.ts';
import { createRelayMailSender } from './platform/mail-relay.ts';
import { migrate } from './platform/migrate.ts';
import { createRateCounter } from './platform/rate-limit.ts';
import { loadOrCreateSecretFile } from './platform/secret-file.ts';
import { createStopper, handleShutdownSignals } from './platform/shutdown.ts';
import { type CheckpointSigner, loadCheckpointSigner } from './platform/signing-key.ts';
import {
  automationRoutes,
  createAutomatedReplies,
  createCsat,
  createQuality,
  createTrainingExport,
  csatRoutes,
  qualityRoutes,
} from './quality/index.ts';
import { createTenancyService, type TenancyService } from './tenancy/service.ts';
import {
  createLanguageRouting,
  createTranslationService,
  languageRoutingRoutes,
  translationProviderFor,
  translationRoutes,
} from './translation/index.ts';
import { createWebhookSmsProvider, loadCodePepper } from './verification/codes.ts';

/** How long a node may hold a scheduled job without renewing (it renews every third of it). */
const JOB_LEASE_TTL_MS = 15_000;

export interface Core {
  config: Config;
  db: Database;
  keyring: Keyring;
  provider: KeyProvider;
  signer: CheckpointSigner;
  auditLog: ReturnType<typeof createAuditLog>;
  audit: AuditRecorder;
  secrets: SecretSealer;
  applied: string[];
  /** Committed-or-pending audit events, in process, for live consumers (insider monitoring). */
  onAuditEvent(listener: (e: AuditEvent) => void): void;
}

export async function openCore(config: Config): Promise<Core> {
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDir: config.databaseUrl ? undefined : pgliteDirFor(config.dataDir),
  });
  return createCore(config, db);
}

/** Builds the core services on an open database (tests pass their own). */
export async function createCore(config: Config, db: Database): Promise<Core> {
  const applied = await migrate(db);
  const provider =
    config.keyProvider === 'vault-transit'
      ? createVaultTransitProvider({
          address: config.vaultAddr!,
          token: config.vaultToken!,
          keyName: config.vaultTransitKey!,
        })
      : createLocalKeyProvider({
          dataDir: config.dataDir,
          ...(config.masterKey ? { masterKey: config.masterKey } : {}),
          currentVersion: config.masterKeyCurrent,
        });
  const keyring = createKeyring({ db, provider, dataDir: config.dataDir });
  const signer = loadCheckpointSigner(config.dataDir);
  const auditLog = createAuditLog({ db, signer });
  const listeners: Array<(e: AuditEvent) => void> = [];
  const publish = (e: AuditEvent) => {
    for (const l of listeners) l(e);
  };
  const readEvents = createGroupCommitter((tenantId, inputs) =>
    auditLog.appendManyStandalone(db, tenantId, inputs),
  );
  const audit: AuditRecorder = {
    inTx: async (tx, e) => {
      publish(await auditLog.append(tx, e));
    },
    inTxWith: async (tx, e, build) => {
      const { events, cte } = await auditLog.prepareAppend(tx, [e]);
      await tx.execute(build(cte));
      for (const ev of events) publish(ev);
    },
    standalone: async (e) => {
      publish(await readEvents.append(e));
    },
  };
  const secrets: SecretSealer = {
    seal: (purpose, id, plain, tx) => keyring.sealPlatformSecret(purpose, id, plain, tx),
    open: (purpose, id, sealed, tx) => keyring.openPlatformSecret(purpose, id, sealed, tx),
  };
  return {
    config,
    db,
    keyring,
    provider,
    signer,
    auditLog,
    audit,
    secrets,
    applied,
    onAuditEvent: (l) => void listeners.push(l),
  };
}

/**
 * Locks the data directory for a CLI verb or a server: alone on PGlite (or when `alone`), shared
 * with the other nodes with DATABASE_URL. Throws DataDirBusyError naming the holder.
 */
export const lockDataDirFor = (config: Config, command: string, alone = false): Promise<DataDirLock> =>
  lockDataDir(config.dataDir, {
    mode: alone || !config.databaseUrl ? 'exclusive' : 'shared',
    command,
    waitForStoppingMs: (config.shutdownTimeoutSeconds + 5) * 1000,
    action:
      command === 'serve'
        ? 'stop that server first (two servers on one embedded data directory lose data)'
        : 'stop the server first, then run this again',
  });

/** The verb this CLI process runs ('keys rotate', 'migrate' …), for the lock holder's record. */
const cliVerb = () =>
  process.argv
    .slice(2)
    .filter((a) => !a.startsWith('-'))
    .slice(0, 2)
    .join(' ') || 'cli';

/** For CLI verbs: lock the data directory, open the database, run fn, close. */
export async function withRuntimeDb<T>(
  config: Config,
  fn: (core: Core) => Promise<T>,
  lock: { command?: string; alone?: boolean } = {},
): Promise<T> {
  const held = await lockDataDirFor(config, lock.command ?? cliVerb(), lock.alone);
  try {
    const core = await openCore(config);
    try {
      return await fn(core);
    } finally {
      await core.db.close();
    }
  } finally {
    held.release();
  }
}

export interface RunningVigil {
  http: FastifyInstance;
  core: Core;
  tenancy: TenancyService;
  app: App;
  url: string;
  /** The port the inbound SMTP server listens on (null when the contact center is off). */
  smtpPort: number | null;
  /** The plain-HTTP port that redirects to HTTPS (null when TLS or the redirect is off). */
  httpRedirectPort: number | null;
  email?: EmailService;
  /** Cross-node events: NATS when NATS_URL is set, otherwise in process. */
  bus: ClusterBus;
  /** Privacy governance (issue 28), when the contact center runs. */
  governance?: Governance;
  stop(): Promise<void>;
}

export interface StartOptions {
  printDemoLogins?: boolean;
  /** A database the caller opened (tests): then no data-directory lock and no control socket. */
  db?: Database;
  logDestination?: DestinationStream;
  /** SIGTERM/SIGINT stop the server within config.shutdownTimeoutSeconds and end the process. */
  handleSignals?: boolean;
}

export async function startVigil(config: Config, opts: StartOptions = {}): Promise<RunningVigil> {
  const stdio = opts.logDestination ? undefined : createStdioLogDestination();
  const logger = createLogger({
    level: config.logLevel,
    destination: opts.logDestination ?? stdio!,
    guardText: guardLogText,
  });
  const lock = opts.db ? undefined : await lockDataDirFor(config, 'serve');
  try {
    return await startOn(config, opts, logger, lock, () => stdio?.flushNow());
  } catch (e) {
    lock?.release();
    throw e;
  }
}

async function startOn(
  config: Config,
  opts: StartOptions,
  logger: Logger,
  lock: DataDirLock | undefined,
  flushLogs: () => void,
): Promise<RunningVigil> {
  const core = opts.db ? await createCore(config, opts.db) : await openCore(config);
  const tenancy = createTenancyService({
    db: core.db,
    secrets: core.secrets,
    onTenantCreated: (id) => core.keyring.ensureTenantKeys(id),
  });
  const bus = createClusterBus({
    natsUrl: config.natsUrl,
    onError: (e) => logger.warn({ err: e }, 'cluster bus error; live events stay on this node meanwhile'),
  });
  const app = await buildApp({
    bus,
    config,
    db: core.db,
    logger,
    audit: core.audit,
    secrets: core.secrets,
    auditLog: core.auditLog,
    onAuditEvent: core.onAuditEvent,
    onTenantCreated: (id) => core.keyring.ensureTenantKeys(id),
    keyring: core.keyring,
    auditSigner: core.signer,
    agreementOf: createAgreementAcceptance(core.db),
  });
  let demoText: string | undefined;
  if (config.demo) {
    const { logins } = await seedDemo({ tenancy, dataDir: config.dataDir });
    if (app.contact) await seedContactCenterDemo({ db: core.db, contact: app.contact });
    demoText = formatDemoLogins(logins, `http://${config.host}:${config.port}`);
  }
  // E-mail: replies through the relay (when configured), inbound SMTP. An ephemeral HTTP port
  // (tests, embedding) means an ephemeral SMTP port too, so parallel instances never collide.
  // Inbound files: content checks at intake, clamd scans after commit, quarantine (issue 26).
  const fileSources = { email: emailFileSource(core.keyring), chat: chatFileSource(core.keyring) };
  const clamdTarget = config.clamdSocket
    ? { socketPath: config.clamdSocket }
    : config.clamdUrl
      ? { url: config.clamdUrl }
      : null;
  const files = createFileScanService({
    db: core.db,
    audit: core.audit,
    logger,
    clamd: clamdTarget ? createClamd({ ...clamdTarget, timeoutMs: config.clamdTimeoutSeconds * 1000 }) : null,
    unscanned: config.unscannedFiles,
    sources: fileSources,
  });
  const email = app.contact
    ? createEmailService({
        files,
        db: core.db,
        keyring: core.keyring,
        ingest: app.contact.ingest,
        conversations: app.contact.conversations,
        logger,
        hostname: config.emailHostname,
        relayUrl: config.smtpRelayUrl,
        retryBaseSeconds: config.smtpRetryBaseSeconds,
      })
    : undefined;
  if (email && app.contact) {
    emailRoutes(app.http, { email, conversations: app.contact.conversations });
    const quarantine = createQuarantineService({
      db: core.db,
      audit: core.audit,
      sources: fileSources,
      sanitizeReason,
    });
    quarantineRoutes(app.http, { files, quarantine, conversations: app.contact.conversations });
    chatUploadRoutes(app.http, { chat: app.contact.chat, files, keyring: core.keyring });
  }
  // Security awareness (issue 27): simulations over the outbound relay, reports, training modules.
  let boundUrl = '';
  const awareness = createAwareness({
    db: core.db,
    audit: core.audit,
    keyring: core.keyring,
    gate: app.access.trainings,
    dataDir: config.dataDir,
    relayUrl: config.smtpRelayUrl,
    hostname: config.emailHostname,
    baseUrl: () => config.publicUrl ?? boundUrl,
    onError: (e, where) => logger.error({ err: e, where }, 'awareness job failed'),
    ingest: app.contact?.ingest,
    auditLog: core.auditLog,
  });
  awareness.register(app.http);
  // Invitations of new people by e-mail (issue 25), over the same relay.
  invitationRoutes(app.http, {
    invitations: createInvitations({
      db: core.db,
      audit: core.audit,
      mail: config.smtpRelayUrl
        ? createRelayMailSender(config.smtpRelayUrl, `no-reply@${config.emailHostname}`)
        : undefined,
      baseUrl: () => config.publicUrl ?? boundUrl,
      onAccessChanged: (userId) => app.auth.forgetUser(userId),
    }),
    config,
  });
  if (app.contact) {
    // Translation with personal data withheld from the provider (issue 29).
    const translation = createTranslationService({
      provider: translationProviderFor(config),
      conversations: app.contact.conversations,
      audit: core.audit,
    });
    translationRoutes(app.http, { translation });
    languageRoutingRoutes(app.http, { routing: createLanguageRouting({ db: core.db, audit: core.audit }) });
    // Quality reviews on pseudonymised conversations (issue 29).
    qualityRoutes(
      app.http,
      createQuality({
        db: core.db,
        keyring: core.keyring,
        audit: core.audit,
        conversations: app.contact.conversations,
      }),
    );
    // Customer satisfaction after resolution: asked in the widget or by e-mail (issue 29).
    const csat = createCsat({
      db: core.db,
      audit: core.audit,
      secret: loadOrCreateSecretFile(config.dataDir, 'csat-token.key'),
      conversation: conversationRow,
      askInWidget: app.contact.chat.promptVisitor,
      ...(email ? { askByEmail: email.sendNotice } : {}),
      baseUrl: () => config.publicUrl ?? boundUrl,
      onError: (e) => logger.warn({ err: e }, 'satisfaction survey could not be sent'),
    });
    app.contact.events.subscribe(csat.listener);
    csatRoutes(app.http, { csat });
    const { conversations, customers } = app.contact;
    automationRoutes(app.http, {
      automated: createAutomatedReplies({ conversations, customers, audit: core.audit, auditBase }),
      trainingExport: createTrainingExport({ db: core.db, keyring: core.keyring, audit: core.audit }),
    });
  }
  // Privacy governance: sub-processor notices by e-mail over the relay, DPIAs (issue 28).
  const governance = app.compliance
    ? registerGovernance(app.http, {
        db: core.db,
        audit: core.audit,
        logger,
        mail: config.smtpRelayUrl
          ? createRelayMailSender(config.smtpRelayUrl, `no-reply@${config.emailHostname}`)
          : undefined,
        consoleUrl: config.publicUrl ?? `http://${config.host}:${config.port}`,
        objectionDays: config.subProcessorObjectionDays,
        tenancy,
        controls: governanceControls(core, app),
        keyring: core.keyring,
        auditLog: core.auditLog,
        findCustomerIds: (tx, tenantId, by) =>
          app.contact ? app.contact.customers.findInTx(tx, tenantId, by) : Promise.resolve([]),
        sms:
          config.smsWebhookUrl && config.smsWebhookSecret
            ? createWebhookSmsProvider(config.smsWebhookUrl, config.smsWebhookSecret)
            : undefined,
        emailHostname: config.emailHostname,
        baseUrl: () => config.publicUrl ?? boundUrl,
        pepper: loadCodePepper(config.dataDir),
        rateCounter: createRateCounter(core.db),
        dsar: {
          powBits: config.dsarPowBits,
          perMinute: config.dsarRequestsPerMinute,
          intakeRetentionDays: config.dsarIntakeRetentionDays,
        },
        activities: async (ctx) => (await app.compliance!.ropa.get(ctx)).document.activities,
        onAuditEvent: core.onAuditEvent,
      })
    : undefined;
  await app.http.listen({ port: config.port, host: config.host });
  let smtp: InboundSmtp | undefined;
  if (email) {
    try {
      smtp = await startInboundSmtp({
        email,
        logger,
        port: config.port === 0 ? 0 : config.smtpPort,
        host: config.host,
        hostname: config.emailHostname,
        tlsCertFile: config.smtpTlsCertFile,
        tlsKeyFile: config.smtpTlsKeyFile,
        phishReport: {
          tenantFor: async (address) => {
            const slug = awareness.slugOfReportAddress(address);
            return slug ? ((await tenancy.tenantBySlug(slug))?.id ?? null) : null;
          },
          receive: async (tenantId, from, raw) => {
            if (!(await awareness.reportBySmtp(tenantId, from, raw.toString('utf8'))))
              throw new EmailError('not_a_member', 550);
          },
        },
        // The privacy mailbox of each tenant opens a DSAR intake (governance, issue 28).
        ...(governance ? { mailboxes: [governance.mailbox] } : {}),
      });
      // Outbound e-mail retries run under a job lease too (below): one node sends, never two.
    } catch (e) {
      await app.http.close();
      throw e;
    }
  }
  const addr = app.http.server.address();
  const boundPort = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `${config.tlsCertFile ? 'https' : 'http'}://${config.host}:${boundPort}`;
  boundUrl = url;
  const redirect =
    config.tlsCertFile && config.httpRedirectPort !== undefined
      ? await startHttpsRedirect({
          port: config.httpRedirectPort,
          host: config.host,
          httpsPort: boundPort,
          publicUrl: config.publicUrl,
        })
      : undefined;
  if (demoText && opts.printDemoLogins)
    process.stdout.write(`\n${demoText.replace(/http:\/\/[^\s]+/, url)}\n\n`);
  const background = startBackgroundJobs(core, logger, bus.nodeId, [
    ...(email ? [{ name: 'email.retries', start: () => email.startRetries(), stop: () => {} }] : []),
    fileRescanJob(files, config.fileRescanSeconds),
    awareness.senderJob,
    ...(governance ? [dsarReminderJob(governance, logger)] : []),
    ...(app.detectorLease ? [app.detectorLease] : []),
  ]);
  // Embedded: read-only CLI commands (keys status, audit verify, backup) reach this process.
  let control: ControlServer | undefined;
  if (lock && !config.databaseUrl) {
    control = await startControlSocket(core);
    lock.setControlSocket(control.path);
  }
  const stopper = createStopper(
    [
      {
        name: 'control socket',
        run: () => {
          lock?.setControlSocket(undefined);
          return control?.close();
        },
      },
      { name: 'https redirect listener', run: () => redirect?.close() },
      { name: 'smtp listener', run: () => smtp?.close() },
      { name: 'outbound e-mail', run: () => email?.stop() },
      { name: 'http requests and websockets', run: () => app.http.close() },
      { name: 'background jobs', run: () => background.stop() },
      { name: 'monitoring', run: () => app.monitor.close() },
      { name: 'cluster bus', run: () => bus.close() },
      { name: 'database', run: () => core.db.close() },
      { name: 'data directory lock', run: () => lock?.release() },
    ],
    (step, e) => logger.error({ err: e, step }, 'shutdown step failed'),
  );
  const stop = () => {
    lock?.markStopping();
    return stopper.stop();
  };
  if (opts.handleSignals)
    handleShutdownSignals({
      stopper,
      timeoutSeconds: config.shutdownTimeoutSeconds,
      onStopping: () => lock?.markStopping(),
      log: (level, msg, fields) => logger[level](fields ?? {}, msg),
      exit: (code) => {
        flushLogs();
        process.exit(code);
      },
    });
  return {
    http: app.http,
    core,
    tenancy,
    app,
    url,
    smtpPort: smtp?.port ?? null,
    httpRedirectPort: redirect?.port ?? null,
    ...(email ? { email } : {}),
    ...(governance ? { governance } : {}),
    bus,
    stop,
  };
}

/** Hourly reminders of DSAR deadlines; under the job lease, so one node mails. */
function dsarReminderJob(governance: Governance, logger: Logger) {
  let timer: NodeJS.Timeout | undefined;
  const run = () =>
    void governance.remindDsarDeadlines().catch((e) => logger.error({ err: e }, 'dsar reminders failed'));
  return {
    name: 'governance.dsar-reminders',
    start: () => {
      run();
      timer = setInterval(run, 3_600_000);
      timer.unref();
    },
    stop: () => clearInterval(timer),
  };
}

/** The live controls a DPIA links to, each read through the domain that owns it. */
function governanceControls(core: Core, app: App): LiveControlSources {
  const pii = createPolicyStore();
  return {
    withTenant: (tenantId, fn) => core.db.withTenant(tenantId, fn),
    phishingResistantRoles: (tx, tenantId) => phishingResistantPolicy.rolesFor(tx, tenantId),
    keyProvider: core.config.keyProvider,
    retentionPolicies: async (ctx) => (app.compliance ? app.compliance.retention.listPolicies(ctx) : []),
    piiPolicy: (tx, tenantId) => pii.policyFor(tx, tenantId),
    monitoringRules: (tenantId) => app.monitor.getRuleConfigs(tenantId),
  };
}

/**
 * Signed audit checkpoints on a timer, and the SIEM export to the configured sinks. Each runs
 * under a job lease in the database, so in a cluster exactly one node runs it at a time and
 * another takes over within the lease ttl when that node dies.
 */
function startBackgroundJobs(
  core: Core,
  logger: Logger,
  holder: string,
  extra: Array<{ name: string; start(): void; stop(): Promise<void> | void }> = [],
): { stop(): Promise<void> } {
  const { config, db, signer } = core;
  const leases = createLeases(db);
  const jobs: Array<{ name: string; start(): void; stop(): Promise<void> | void }> = [...extra];
  if (config.auditCheckpointSeconds > 0) {
    let stopCheckpoints = () => {};
    jobs.push({
      name: 'audit.checkpoints',
      start: () => {
        stopCheckpoints = scheduleCheckpoints(db, signer, config.auditCheckpointSeconds * 1000, (e) =>
          logger.error({ err: e }, 'audit checkpoint failed'),
        );
      },
      stop: () => stopCheckpoints(),
    });
  }
  const sinks: AuditSink[] = [];
  if (config.siemNats && config.natsUrl) sinks.push(createNatsSink({ id: 'nats', servers: config.natsUrl }));
  if (config.siemWebhookUrl && config.siemWebhookSecret)
    sinks.push(
      createWebhookSink({ id: 'webhook', url: config.siemWebhookUrl, secret: config.siemWebhookSecret }),
    );
  if (config.siemFile) sinks.push(createFileSink('file', config.siemFile));
  const exporter = sinks.length
    ? createAuditExporter({
        db,
        sinks,
        onError: (sinkId) => logger.warn({ sinkId }, 'SIEM sink delivery failed; will retry'),
      })
    : null;
  const tenantSinks = createTenantSinkExporter({
    db,
    keyring: core.keyring,
    allowPrivateTargets: !!config.siemAllowPrivateTargets,
    onError: (sinkId) => logger.warn({ sinkId }, 'tenant SIEM sink delivery failed; will retry'),
  });
  jobs.push({ name: 'audit.tenant-sinks', start: () => tenantSinks.start(), stop: () => tenantSinks.stop() });
  // Audit retention (per tenant, default 365 days), held back by undelivered SIEM events.
  let stopRetention = () => {};
  jobs.push({
    name: 'audit.retention',
    start: () => {
      stopRetention = scheduleAuditRetention(db, signer, 6 * 3600_000, {
        globalSinkIds: sinks.map((s) => s.id),
        onError: (e) => logger.error({ err: e }, 'audit retention failed'),
      });
    },
    stop: () => stopRetention(),
  });
  if (exporter)
    jobs.push({ name: 'audit.siem-export', start: () => exporter.start(), stop: () => exporter.stop() });
  const running = jobs.map((j) =>
    runLeased({
      leases,
      name: j.name,
      holder,
      ttlMs: JOB_LEASE_TTL_MS,
      onAcquired: () => {
        logger.info({ job: j.name }, 'job lease acquired');
        j.start();
      },
      onLost: async () => {
        logger.info({ job: j.name }, 'job stopped on this node (lease lost or node stopping)');
        await j.stop();
      },
      onError: (e) => logger.warn({ err: e, job: j.name }, 'job lease renewal failed'),
    }),
  );
  return {
    async stop() {
      await Promise.all(running.map((r) => r.stop()));
    },
  };
}
