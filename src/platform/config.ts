// One validated configuration object, read once at start-up from the environment and an
// optional JSON file (VIGIL_CONFIG_FILE). Environment wins over the file.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

export const ConfigSchema = Type.Object({
  port: Port,
  host: Type.String({ minLength: 1 }),
  databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  dataDir: Type.String({ minLength: 1 }),
  sessionIdleMinutes: Type.Integer({ minimum: 1, maximum: 24 * 60 }),
  sessionAbsoluteHours: Type.Integer({ minimum: 1, maximum: 7 * 24 }),
  /** Silence of a paired Cockpit extension (live session) before Vigil records tampering. */
  cockpitHeartbeatGraceSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
  demo: Type.Boolean(),
  smtpPort: Port,
  /** Outbound relay for agent replies on e-mail conversations, e.g. smtp://127.0.0.1:2526. */
  smtpRelayUrl: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  smtpTlsCertFile: Type.Optional(Type.String({ minLength: 1 })),
  smtpTlsKeyFile: Type.Optional(Type.String({ minLength: 1 })),
  /** Host name in the SMTP greeting and in the Message-IDs Vigil generates. */
  emailHostname: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9.-]+$' }),
  /** First retry delay for failed outbound e-mail (doubles per attempt, bounded). */
  smtpRetryBaseSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
  /** ClamAV daemon for inbound files: a Unix socket path, or tcp://host:port (issue 26). */
  clamdSocket: Type.Optional(Type.String({ minLength: 1 })),
  clamdUrl: Type.Optional(Type.String({ pattern: '^tcp://[^/:]+:[0-9]{1,5}$' })),
  clamdTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 600 }),
  /** Without a scanner configured: hold inbound files as unscannable (default) or let them through. */
  unscannedFiles: Type.Union([Type.Literal('hold'), Type.Literal('allow')]),
  /** How often files left pending (scanner down) are tried again. */
  fileRescanSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
  /** Days a tenant may object to a sub-processor change (issue 28). */
  subProcessorObjectionDays: Type.Integer({ minimum: 1, maximum: 365 }),
  /** Proof-of-work bits of the public privacy request form, and its requests per IP and minute. */
  dsarPowBits: Type.Integer({ minimum: 1, maximum: 24 }),
  dsarRequestsPerMinute: Type.Integer({ minimum: 1, maximum: 10_000 }),
  /** Days a closed DSAR intake keeps the requester's contact and text before they are purged. */
  dsarIntakeRetentionDays: Type.Integer({ minimum: 1, maximum: 3650 }),
  /** Translation engine for agents (issue 29): local Apertium, DeepL or LibreTranslate over HTTP. */
  translationProvider: Type.Union([
    Type.Literal('none'),
    Type.Literal('apertium'),
    Type.Literal('deepl'),
    Type.Literal('libretranslate'),
  ]),
  translationUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
  translationApiKey: Type.Optional(Type.String({ minLength: 1 })),
  /** The apertium executable (default: `apertium` on PATH). */
  apertiumBinary: Type.Optional(Type.String({ minLength: 1 })),
  /** First retry delay for failed alert notifications (doubles per attempt, at most an hour). */
  alertRetryBaseSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
  /** How often the retention job deletes expired data (VIGIL_RETENTION_INTERVAL_SECONDS); 0 = off. */
  retentionIntervalSeconds: Type.Integer({ minimum: 0, maximum: 7 * 86400 }),
  logLevel: Type.Union([
    Type.Literal('fatal'),
    Type.Literal('error'),
    Type.Literal('warn'),
    Type.Literal('info'),
    Type.Literal('debug'),
    Type.Literal('trace'),
    Type.Literal('silent'),
  ]),
  trustProxy: Type.Boolean(),
  secureCookies: Type.Boolean(),
  natsUrl: Type.Optional(Type.String()),
  masterKey: Type.Optional(Type.String({ minLength: 32 })),
  /** The master key version new wraps use (VIGIL_MASTER_KEY_CURRENT); default the highest. */
  masterKeyCurrent: Type.Optional(Type.Integer({ minimum: 1 })),
  loginMaxPerIpPerMinute: Type.Integer({ minimum: 1 }),
  /** Chat widget requests per client address and tenant (tenants may set their own). */
  widgetPerIpPerMinute: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  /** Messages per chat visitor (visitor token). */
  widgetPerVisitorPerMinute: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  /** First messages without a visitor token per client address and origin (each opens a visitor). */
  widgetAnonymousPerIpPerMinute: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  lockoutThreshold: Type.Integer({ minimum: 1, maximum: 100 }),
  lockoutBaseSeconds: Type.Integer({ minimum: 1 }),
  keyProvider: Type.Union([Type.Literal('local'), Type.Literal('vault-transit')]),
  vaultAddr: Type.Optional(Type.String({ pattern: '^https?://' })),
  vaultToken: Type.Optional(Type.String({ minLength: 1 })),
  vaultTransitKey: Type.Optional(Type.String({ minLength: 1 })),
  auditCheckpointSeconds: Type.Integer({ minimum: 0, maximum: 86400 }),
  siemNats: Type.Boolean(),
  siemWebhookUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
  siemWebhookSecret: Type.Optional(Type.String({ minLength: 16 })),
  siemFile: Type.Optional(Type.String({ minLength: 1 })),
  /** SMS gateway for one-time codes (JSON webhook, HMAC-signed with the secret). */
  smsWebhookUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
  smsWebhookSecret: Type.Optional(Type.String({ minLength: 16 })),
  /** Card payments: 'test' is the local test provider (never real money); 'none' disables capture. */
  paymentProvider: Type.Union([Type.Literal('none'), Type.Literal('test')]),
  /** The address users and customers reach Vigil at (payment links, SSO redirect URIs, passkey origin). */
  publicUrl: Type.Optional(Type.String({ pattern: '^https?://[^/]+$' })),
  /** HTTPS in Vigil itself (TLS 1.2+ only); Secure cookies and HSTS follow. */
  tlsCertFile: Type.Optional(Type.String({ minLength: 1 })),
  tlsKeyFile: Type.Optional(Type.String({ minLength: 1 })),
  /** With TLS on: a plain-HTTP port that only redirects to HTTPS (unset: plain HTTP is refused). */
  httpRedirectPort: Type.Optional(Port),
  /** Reverse proxies whose X-Forwarded-* headers are trusted: addresses or CIDRs (overrides trustProxy). */
  trustedProxies: Type.Optional(Type.Array(Type.String({ minLength: 2, maxLength: 64 }), { maxItems: 50 })),
  /** Tenant webhook sinks may target loopback/private addresses (tests, on-premises SIEMs). */
  siemAllowPrivateTargets: Type.Optional(Type.Boolean()),
  /** OIDC identity providers may be at loopback/private addresses (tests, on-premises IdPs). */
  ssoAllowPrivateIdps: Type.Optional(Type.Boolean()),
  /** /docs and /docs/json without signing in (on with the demo). */
  publicDocs: Type.Optional(Type.Boolean()),
  /** Bearer token for Prometheus scrapes of /metrics (unset: /metrics refuses every request). */
  metricsToken: Type.Optional(Type.String({ minLength: 32 })),
  /** After SIGTERM/SIGINT: how long shutdown may take before the process exits non-zero anyway. */
  shutdownTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 3600 }),
});

export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

const bool = (v: string | undefined): boolean | string | undefined =>
  v === undefined
    ? undefined
    : /^(1|true|yes|on)$/i.test(v)
      ? true
      : /^(0|false|no|off)$/i.test(v)
        ? false
        : v;
const int = (v: string | undefined): number | string | undefined =>
  v === undefined || v === '' ? undefined : /^-?\d+$/.test(v) ? Number(v) : v;

function fromEnv(env: Env): Partial<Record<keyof Config, unknown>> {
  const raw = {
    port: int(env.PORT),
    host: env.HOST,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.VIGIL_DATA_DIR,
    sessionIdleMinutes: int(env.VIGIL_SESSION_IDLE_MINUTES),
    sessionAbsoluteHours: int(env.VIGIL_SESSION_ABSOLUTE_HOURS),
    cockpitHeartbeatGraceSeconds: int(env.VIGIL_COCKPIT_HEARTBEAT_GRACE_SECONDS),
    demo: bool(env.VIGIL_DEMO),
    smtpPort: int(env.SMTP_PORT),
    smtpRelayUrl: env.SMTP_RELAY_URL || undefined,
    smtpTlsCertFile: env.SMTP_TLS_CERT_FILE || undefined,
    smtpTlsKeyFile: env.SMTP_TLS_KEY_FILE || undefined,
    emailHostname: env.VIGIL_EMAIL_HOSTNAME || undefined,
    smtpRetryBaseSeconds: int(env.SMTP_RETRY_BASE_SECONDS),
    clamdSocket: env.VIGIL_CLAMD_SOCKET || undefined,
    clamdUrl: env.VIGIL_CLAMD_URL || undefined,
    clamdTimeoutSeconds: int(env.VIGIL_CLAMD_TIMEOUT_SECONDS),
    unscannedFiles: env.VIGIL_UNSCANNED_FILES || undefined,
    fileRescanSeconds: int(env.VIGIL_FILE_RESCAN_SECONDS),
    subProcessorObjectionDays: int(env.VIGIL_SUBPROCESSOR_OBJECTION_DAYS),
    dsarPowBits: int(env.VIGIL_DSAR_POW_BITS),
    dsarRequestsPerMinute: int(env.VIGIL_DSAR_REQUESTS_PER_MINUTE),
    dsarIntakeRetentionDays: int(env.VIGIL_DSAR_INTAKE_RETENTION_DAYS),
    translationProvider: env.VIGIL_TRANSLATION_PROVIDER || undefined,
    translationUrl: env.VIGIL_TRANSLATION_URL || undefined,
    translationApiKey: env.VIGIL_TRANSLATION_API_KEY || undefined,
    apertiumBinary: env.VIGIL_APERTIUM_BINARY || undefined,
    alertRetryBaseSeconds: int(env.VIGIL_ALERT_RETRY_BASE_SECONDS),
    retentionIntervalSeconds: int(env.VIGIL_RETENTION_INTERVAL_SECONDS),
    logLevel: env.LOG_LEVEL,
    trustProxy: bool(env.VIGIL_TRUST_PROXY),
    secureCookies: bool(env.VIGIL_SECURE_COOKIES),
    natsUrl: env.NATS_URL || undefined,
    masterKey: env.VIGIL_MASTER_KEY || undefined,
    masterKeyCurrent: int(env.VIGIL_MASTER_KEY_CURRENT),
    loginMaxPerIpPerMinute: int(env.VIGIL_LOGIN_MAX_PER_IP_PER_MINUTE),
    widgetPerIpPerMinute: int(env.VIGIL_WIDGET_PER_IP_PER_MINUTE),
    widgetPerVisitorPerMinute: int(env.VIGIL_WIDGET_PER_VISITOR_PER_MINUTE),
    widgetAnonymousPerIpPerMinute: int(env.VIGIL_WIDGET_ANONYMOUS_PER_IP_PER_MINUTE),
    lockoutThreshold: int(env.VIGIL_LOCKOUT_THRESHOLD),
    lockoutBaseSeconds: int(env.VIGIL_LOCKOUT_BASE_SECONDS),
    keyProvider: env.VIGIL_KEY_PROVIDER,
    vaultAddr: env.VAULT_ADDR || undefined,
    vaultToken: env.VAULT_TOKEN || undefined,
    vaultTransitKey: env.VAULT_TRANSIT_KEY || undefined,
    auditCheckpointSeconds: int(env.VIGIL_AUDIT_CHECKPOINT_SECONDS),
    siemNats: bool(env.VIGIL_SIEM_NATS),
    siemWebhookUrl: env.VIGIL_SIEM_WEBHOOK_URL || undefined,
    siemWebhookSecret: env.VIGIL_SIEM_WEBHOOK_SECRET || undefined,
    siemFile: env.VIGIL_SIEM_FILE || undefined,
    smsWebhookUrl: env.VIGIL_SMS_WEBHOOK_URL || undefined,
    smsWebhookSecret: env.VIGIL_SMS_WEBHOOK_SECRET || undefined,
    paymentProvider: env.VIGIL_PAYMENT_PROVIDER,
    publicUrl: env.VIGIL_PUBLIC_URL || undefined,
    tlsCertFile: env.TLS_CERT_FILE || undefined,
    tlsKeyFile: env.TLS_KEY_FILE || undefined,
    httpRedirectPort: int(env.VIGIL_HTTP_REDIRECT_PORT),
    trustedProxies: env.VIGIL_TRUSTED_PROXIES
      ? env.VIGIL_TRUSTED_PROXIES.split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : undefined,
    siemAllowPrivateTargets: bool(env.VIGIL_SIEM_ALLOW_PRIVATE_TARGETS),
    ssoAllowPrivateIdps: bool(env.VIGIL_SSO_ALLOW_PRIVATE_IDPS),
    publicDocs: bool(env.VIGIL_PUBLIC_DOCS),
    metricsToken: env.VIGIL_METRICS_TOKEN || undefined,
    shutdownTimeoutSeconds: int(env.VIGIL_SHUTDOWN_TIMEOUT_SECONDS),
  };
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
}

const defaults: Config = {
  port: 8080,
  host: '127.0.0.1',
  dataDir: './data',
  sessionIdleMinutes: 15,
  sessionAbsoluteHours: 10,
  cockpitHeartbeatGraceSeconds: 20,
  demo: false,
  smtpPort: 2525,
  emailHostname: 'vigil.local',
  smtpRetryBaseSeconds: 30,
  clamdTimeoutSeconds: 30,
  unscannedFiles: 'hold',
  fileRescanSeconds: 30,
  subProcessorObjectionDays: 30,
  dsarPowBits: 16,
  dsarRequestsPerMinute: 10,
  dsarIntakeRetentionDays: 30,
  translationProvider: 'none',
  alertRetryBaseSeconds: 30,
  retentionIntervalSeconds: 3600,
  logLevel: 'info',
  trustProxy: false,
  secureCookies: false,
  loginMaxPerIpPerMinute: 30,
  widgetPerIpPerMinute: 120,
  widgetPerVisitorPerMinute: 30,
  widgetAnonymousPerIpPerMinute: 10,
  lockoutThreshold: 10,
  lockoutBaseSeconds: 60,
  keyProvider: 'local',
  auditCheckpointSeconds: 300,
  siemNats: false,
  paymentProvider: 'none',
  shutdownTimeoutSeconds: 10,
};

/** Builds and validates the config; throws ConfigError with a one-line explanation. */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  let file: Record<string, unknown> = {};
  if (env.VIGIL_CONFIG_FILE) {
    try {
      file = JSON.parse(readFileSync(env.VIGIL_CONFIG_FILE, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new ConfigError(
        `VIGIL_CONFIG_FILE could not be read as JSON (${(e as Error).message.split('\n')[0]})`,
      );
    }
  }
  const merged = { ...defaults, ...file, ...fromEnv(env), ...overrides };
  const first = Value.Errors(ConfigSchema, merged)[0];
  if (first) {
    const where = first.instancePath.replace(/^\//, '') || 'config';
    throw new ConfigError(`invalid configuration: ${where} ${first.message}`);
  }
  const config = Value.Clean(ConfigSchema, structuredClone(merged)) as Config;
  config.dataDir = resolve(config.dataDir);
  if (
    config.keyProvider === 'vault-transit' &&
    !(config.vaultAddr && config.vaultToken && config.vaultTransitKey)
  ) {
    throw new ConfigError(
      'invalid configuration: VIGIL_KEY_PROVIDER=vault-transit needs VAULT_ADDR, VAULT_TOKEN and VAULT_TRANSIT_KEY',
    );
  }
  if (config.siemWebhookUrl && !config.siemWebhookSecret)
    throw new ConfigError('invalid configuration: VIGIL_SIEM_WEBHOOK_URL needs VIGIL_SIEM_WEBHOOK_SECRET');
  if (Boolean(config.smtpTlsCertFile) !== Boolean(config.smtpTlsKeyFile))
    throw new ConfigError('invalid configuration: SMTP_TLS_CERT_FILE and SMTP_TLS_KEY_FILE go together');
  if (config.smsWebhookUrl && !config.smsWebhookSecret)
    throw new ConfigError('invalid configuration: VIGIL_SMS_WEBHOOK_URL needs VIGIL_SMS_WEBHOOK_SECRET');
  if (config.siemNats && !config.natsUrl)
    throw new ConfigError('invalid configuration: VIGIL_SIEM_NATS needs NATS_URL');
  if (Boolean(config.tlsCertFile) !== Boolean(config.tlsKeyFile))
    throw new ConfigError('invalid configuration: TLS_CERT_FILE and TLS_KEY_FILE go together');
  // Served over HTTPS, cookies are Secure and HSTS is sent, whatever else was configured.
  if (config.tlsCertFile) config.secureCookies = true;
  return config;
}
