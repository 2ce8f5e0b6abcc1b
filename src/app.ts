// The composition root of the HTTP application: plugins, the guard, the error mapper, routes.
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { auditExportRoutes } from './audit/export-routes.ts';
import type { AuditLog } from './audit/log.ts';
import { auditRoutes } from './audit/routes.ts';
import { registerAuditSinks } from './audit/sink-routes.ts';
import type { AuditEvent, AuditSigner } from './audit/types.ts';
import { adminSessionRoutes } from './auth/admin-routes.ts';
import { localeRoutes } from './auth/locale-routes.ts';
import { memberNamesRoutes } from './auth/member-names-routes.ts';
import { createMembershipSuspension } from './auth/membership-suspension.ts';
import { passwordRoutes } from './auth/password-routes.ts';
import { createPasswordService } from './auth/password-service.ts';
import { authRoutes } from './auth/routes.ts';
import { type AuthService, createAuthService, type SecretSealer } from './auth/service.ts';
import { installGuard, installRouteRuleCheck } from './authz/guard.ts';
import { TENANT_ROLES } from './authz/index.ts';
import { isQuizBacked } from './awareness/index.ts';
import { type Cockpit, registerCockpit } from './cockpit/index.ts';
import { type Compliance, type ComplianceDeps, registerCompliance } from './compliance/index.ts';
import { type ContactCenter, registerContactCenter } from './conversations/module.ts';
import type { Keyring } from './crypto/index.ts';
import { type AccessPolicyModule, createAccessPolicy } from './identity/access-policy/index.ts';
import { factorPolicy, registerIdentity } from './identity/index.ts';
import { createScim } from './identity/scim/index.ts';
import { httpsServerFactory, tlsServerOptions } from './identity/tls.ts';
import { piiPolicyRoutes } from './ingest/policy-routes.ts';
import { registerAlertNotifications } from './monitoring/notifications.ts';
import { monitoringRoutes } from './monitoring/routes.ts';
import { createMonitor, type Monitor } from './monitoring/service.ts';
import type { MonitoredEvent } from './monitoring/types.ts';
import { registerPayments } from './payments/module.ts';
import type { AuditRecorder } from './platform/audit-port.ts';
import { type ClusterBus, createLocalBus } from './platform/cluster/index.ts';
import type { Config } from './platform/config.ts';
import type { Database } from './platform/db.ts';
import { healthRoutes } from './platform/health.ts';
import { installErrorMapper } from './platform/http-errors.ts';
import { createMetrics, metricsRoutes } from './platform/metrics.ts';
import { createRateCounter, rateLimitStoreFor } from './platform/rate-limit.ts';
import { installTracing } from './platform/tracing.ts';
import { createPrivacyService, privacyRoutes } from './privacy/index.ts';
import { createApiTokens } from './tenancy/index.ts';
import { createRoleGrants } from './tenancy/role-grants.ts';
import { roleRequestRoutes } from './tenancy/role-request-routes.ts';
import { tenancyRoutes } from './tenancy/routes.ts';
import { createTenancyService } from './tenancy/service.ts';
import { registerVerification } from './verification/module.ts';
import { demoShopRoutes } from './web/demo-shop.ts';
import { webRoutes } from './web/static.ts';

export interface AppDeps {
  config: Config;
  db: Database;
  logger: Logger;
  audit: AuditRecorder;
  secrets: SecretSealer;
  onTenantCreated?: (tenantId: string) => Promise<void>;
  auditLog: AuditLog;
  onAuditEvent(listener: (e: AuditEvent) => void): void;
  /** Enables the contact center (customers, conversations, chat, voice). */
  keyring?: Keyring;
  /** Signs the retention anchors of audit-event retention (compliance). */
  auditSigner?: AuditSigner;
  /** Cross-node events (live fan-out, revocations); in process when absent. */
  bus?: ClusterBus;
  /** The accepted data-processing agreement for the security report (src/governance). */
  agreementOf?: ComplianceDeps['agreementOf'];
}

export interface App {
  http: FastifyInstance;
  auth: AuthService;
  monitor: Monitor;
  /** Clustered nodes only: the detector evaluates events while this node holds the lease. */
  detectorLease?: { name: string; start(): void; stop(): void } | undefined;
  contact?: ContactCenter;
  cockpit: Cockpit;
  access: AccessPolicyModule;
  compliance?: Compliance;
}

export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, db, logger, audit, secrets } = deps;
  const rateCounter = createRateCounter(db);
  const tls = tlsServerOptions(config);
  const http: FastifyInstance = Fastify({
    ...(tls ? { serverFactory: httpsServerFactory(tls) } : {}),
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    trustProxy: config.trustedProxies ?? config.trustProxy,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });

  // Plugin routes that carry no rule of their own get an explicit one here; anything else is refused.
  // The API description maps every route an attacker could probe: signed-in users only, unless
  // VIGIL_PUBLIC_DOCS (on with the demo).
  const publicDocs = config.publicDocs ?? config.demo;
  installRouteRuleCheck(http, [
    {
      prefix: '/docs',
      rule: publicDocs ? { public: 'API documentation (VIGIL_PUBLIC_DOCS)' } : { user: true },
    },
  ]);
  installErrorMapper(http);
  installTracing(http);
  const bus = deps.bus ?? createLocalBus();
  const metrics = createMetrics({ db, bus });
  metricsRoutes(http, metrics);
  deps.onAuditEvent((e) => metrics.observeAudit(e));

  await http.register(helmet, {
    contentSecurityPolicy: { directives: CSP_DIRECTIVES },
    crossOriginEmbedderPolicy: true,
    hsts: config.secureCookies ? { maxAge: 31536000, includeSubDomains: true } : false,
  });
  await http.register(cookie);
  await http.register(rateLimit, { global: false, store: rateLimitStoreFor(rateCounter) });
  await http.register(swagger, {
    openapi: {
      info: { title: 'Vigil API', version: '1' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'vigil_session' } } },
    },
  });
  // No staticCSP: the page and its static files (no inline script) get the consoles' CSP from helmet.
  await http.register(swaggerUi, { routePrefix: '/docs' });

  const auth = createAuthService({
    db,
    config,
    audit,
    secrets,
    factorPolicy,
    bus,
  });
  const scim = createScim({ db, audit, auth });
  const access = createAccessPolicy({
    db,
    audit,
    secureCookies: config.secureCookies,
    quizBacked: isQuizBacked,
  });
  installGuard(http, {
    db,
    auth,
    audit,
    scimAuth: scim.tokens.authenticate,
    admitTenant: access.admitTenant,
    metricsToken: config.metricsToken,
    secureCookies: config.secureCookies,
  });

  healthRoutes(http, { db });
  authRoutes(http, { auth, config });
  const suspension = createMembershipSuspension({ db, audit, auth });
  adminSessionRoutes(http, { db, auth, audit, suspension });
  passwordRoutes(http, { passwords: createPasswordService({ db, audit, auth }), config });
  localeRoutes(http, { db, audit, auth });
  memberNamesRoutes(http, { db });
  scim.register(http);
  access.register(http);
  const tenancy = createTenancyService({ db, secrets, onTenantCreated: deps.onTenantCreated });
  registerIdentity(http, { config, db, audit, secrets, auth, tenancy });
  auditRoutes(http, { db, audit, auditLog: deps.auditLog });
  auditExportRoutes(http, { db, audit, auditLog: deps.auditLog });
  if (deps.keyring)
    registerAuditSinks(http, {
      db,
      audit,
      keyring: deps.keyring,
      allowPrivateTargets: !!config.siemAllowPrivateTargets,
    });
  const grants = createRoleGrants({ db, audit, onAccessChanged: (userId) => auth.forgetUser(userId) });
  tenancyRoutes(http, {
    audit,
    grants,
    apiTokens: createApiTokens({ db, audit }),
    tenancy,
  });
  roleRequestRoutes(http, { grants });

  // The demo visitor page with the chat widget of the demo tenant (src/demo seeds acme-shop).
  if (config.demo) demoShopRoutes(http, { tenantSlug: 'acme-shop' });
  await webRoutes(http, { log: { info: (m) => logger.info(m), error: (o, m) => logger.error(o, m) } });

  const contact = deps.keyring
    ? await registerContactCenter(http, {
        config,
        db,
        audit,
        keyring: deps.keyring,
        bus,
        rates: rateCounter,
        tenantIds: async () =>
          (await tenancy.listTenants()).filter((t) => t.status === 'active').map((t) => t.id),
        onError: (e, where) => logger.error({ err: e }, `${where} failed`),
      })
    : undefined;
  let compliance: Compliance | undefined;
  if (contact) {
    auth.onSessionsRevoked(({ userId }) => contact.hub.dropUser(userId));
    piiPolicyRoutes(http, { db, policies: contact.policies, audit });
    if (deps.keyring)
      privacyRoutes(http, {
        privacy: createPrivacyService({
          db,
          keyring: deps.keyring,
          audit,
          auditLog: deps.auditLog,
          customers: contact.customers,
        }),
      });
    registerVerification(http, {
      config,
      db,
      audit,
      keyring: deps.keyring as Keyring,
      customers: contact.customers,
      chat: contact.chat,
    });
    registerPayments(http, { config, db, audit, keyring: deps.keyring as Keyring, chat: contact.chat });
    compliance = registerCompliance(http, {
      db,
      keyring: deps.keyring as Keyring,
      audit,
      auditLog: deps.auditLog,
      signer: deps.auditSigner,
      retentionIntervalMs: config.retentionIntervalSeconds * 1000,
      onError: (e, where) => logger.error({ err: e, where }, 'compliance job failed'),
      agreementOf: deps.agreementOf,
    });
  }

  const cockpitActor = { ip: '', uaHash: '', userId: null };
  const cockpit = await registerCockpit(http, {
    db,
    audit,
    heartbeatGraceSeconds: config.cockpitHeartbeatGraceSeconds,
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    revokeSessions: (userId, reason) => auth.revokeSessions({ userId }, reason, cockpitActor),
    onError: (e, where) => logger.error({ err: e, where }, 'cockpit error'),
  });
  // Through the cluster bus: the extension may be connected to any node.
  auth.onSessionsRevoked(({ userId }) => void cockpit.hub.revokeUser(userId).catch(() => {}));

  const systemActor = { ip: '', uaHash: '', userId: null };
  const onError = (e: unknown, where: string) => logger.error({ err: e, where }, 'monitoring error');
  const notifications = deps.keyring
    ? registerAlertNotifications(http, {
        config,
        db,
        keyring: deps.keyring,
        audit,
        onError,
        // Alert mails go out in each member's console language.
        localesOf: async (tenantId, emails) => {
          const wanted = new Set(emails.map((e) => e.toLowerCase()));
          const members = await tenancy.membersWithRoles(tenantId, TENANT_ROLES);
          return new Map(
            members
              .filter((m) => wanted.has(m.email.toLowerCase()))
              .map((m) => [m.email.toLowerCase(), m.locale]),
          );
        },
      })
    : undefined;
  const monitor = await createMonitor({
    db,
    actions: {
      // A tenant's rule suspends the membership of the tenant whose data was touched; a platform
      // finding (no tenant) suspends the account.
      suspendUser: (id, reason, tenantId) =>
        tenantId
          ? suspension.suspend(tenantId, id, reason, systemActor)
          : auth.suspendUser(id, reason, systemActor),
      requireStepUp: (id) => auth.requireStepUp(id),
    },
    // Alerts enter the audit log, and through it the SIEM export (OCSF Detection Finding).
    // The tenant's notification channels (e-mail, webhook) take it at their minimum severity.
    notify: {
      onAlert: async (alert) => {
        await audit.standalone({
          tenantId: alert.tenantId,
          actorType: 'system',
          actorId: null,
          action: 'detection.alert',
          resourceType: 'alert',
          resourceId: alert.id,
          outcome: 'success',
          meta: { ruleId: alert.ruleId, severity: alert.severity, title: alert.title },
        });
        await notifications?.onAlert(alert);
      },
    },
    onError,
  });
  // Stored events always carry the writer's validated actor type and outcome. In a cluster every
  // node's events go through the bus to the one node that holds the detector lease, so an agent's
  // reads count together whichever node served them; a single node evaluates its own at once.
  let detectorLease: App['detectorLease'];
  if (bus.kind === 'local') deps.onAuditEvent((e) => monitor.ingest(e as MonitoredEvent));
  else {
    let active = false;
    deps.onAuditEvent((e) =>
      bus.publish({ type: 'audit.event', event: { ...(e as MonitoredEvent), seq: String(e.seq) } }),
    );
    bus.subscribe((e) => {
      if (e.type === 'audit.event' && active) monitor.ingest(e.event);
    });
    detectorLease = {
      name: 'monitoring.detector',
      start: () => {
        active = true;
      },
      stop: () => {
        active = false;
      },
    };
  }
  monitoringRoutes(http, { monitor, audit });

  return {
    http,
    auth,
    monitor,
    detectorLease,
    access,
    cockpit,
    ...(contact ? { contact } : {}),
    ...(compliance ? { compliance } : {}),
  };
}
