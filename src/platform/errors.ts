// Every error Vigil reports carries a stable code. The HTTP mapping lives here and only here.
// Messages are fixed strings chosen by the code that throws: never interpolate user input or
// personal data into them (see test/platform/no-pii-in-logs.test.ts).

export const errorStatus = {
  invalid_input: 400,
  invalid_json: 400,
  reason_required: 400,
  address_not_public: 400,
  unauthenticated: 401,
  session_expired: 401,
  mfa_required: 401,
  invalid_credentials: 401,
  invalid_mfa_code: 401,
  account_suspended: 401,
  csrf_failed: 403,
  forbidden: 403,
  step_up_required: 403,
  network_not_allowed: 403,
  device_not_approved: 403,
  training_required: 403,
  verification_required: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  capture_in_progress: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  weak_password: 422,
  data_erased: 410,
  processing_restricted: 423,
  account_locked: 429,
  rate_limited: 429,
  decryption_failed: 500,
  key_unavailable: 500,
  audit_write_failed: 503,
  service_unavailable: 503,
  internal: 500,
  // Single sign-on, passkeys (issue 14).
  sso_provider_unknown: 404,
  sso_state_invalid: 401,
  sso_token_invalid: 401,
  sso_idp_error: 401,
  sso_domain_not_allowed: 403,
  sso_email_unverified: 403,
  sso_no_account: 403,
  saml_signature_invalid: 401,
  saml_assertion_expired: 401,
  saml_audience_mismatch: 401,
  saml_recipient_mismatch: 401,
  saml_replayed: 401,
  saml_response_invalid: 401,
  phishing_resistant_required: 403,
  webauthn_failed: 401,
  // Malware scanning (issue 26): only clean files are served.
  file_quarantined: 409,
  file_not_scanned: 409,
  // Role administration (issue 20): nobody grants themselves; a second person approves.
  self_grant_forbidden: 403,
  four_eyes_required: 403,
  account_outside_tenant: 403,
  // Security awareness (issue 27): campaigns launch once; a quiz has a limited number of tries.
  campaign_not_draft: 409,
  no_recipients: 422,
  quiz_attempts_exhausted: 409,
  // Translation, quality reviews (issue 29).
  translation_unsupported: 422,
  translation_unavailable: 503,
  // No provider configured for this instance: a state of the deployment, not an outage.
  translation_not_configured: 409,
  translation_withheld: 422,
  language_unknown: 422,
  review_closed: 409,
  outbound_blocked: 422,
  // Routing by language, customer satisfaction (issue 29).
  unknown_queue: 422,
  csat_token_invalid: 400,
  csat_answered: 409,
  csat_expired: 410,
  // Consoles (issue 25): a tenant always keeps one administrator.
  last_admin: 409,
  // A reveal on a conversation not assigned to the revealer needs explicit confirmation.
  assignment_required: 409,
  // Invitations and e-mail (issue 25): no mail can leave without a relay; an account exists once.
  mail_relay_missing: 409,
  account_exists: 409,
  invitation_invalid: 410,
  // Privacy governance (issue 28): objection windows, DSAR intake checks, expiring downloads.
  objection_window_closed: 409,
  dsar_bot_check_failed: 400,
  dsar_code_invalid: 400,
  dsar_not_verified: 403,
  download_expired: 410,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface ErrorDetail {
  path?: string;
  message: string;
}

export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;
  /** Seconds the caller should wait (rate limits, lockouts). */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { details?: ErrorDetail[]; retryAfter?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'VigilError';
    this.code = code;
    this.details = opts.details;
    this.retryAfter = opts.retryAfter;
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export const isVigilError = (e: unknown): e is VigilError => e instanceof VigilError;

export const notFound = (what = 'resource') => new VigilError('not_found', `${what} not found`);
export const invalidInput = (message: string, details?: ErrorDetail[]) =>
  new VigilError('invalid_input', message, details ? { details } : {});
