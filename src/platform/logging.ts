// Structured logging with pino. Personal data must never reach a log line: secrets are removed by
// path (redact), every string that is logged passes a scrubber (e-mail addresses, card-like and
// IBAN-like strings), and request URLs are logged without their query string.
import pino, { type Logger } from 'pino';

export const REDACT_PATHS = [
  'password',
  'newPassword',
  'code',
  'challenge',
  'token',
  'csrfToken',
  'secret',
  'totpSecret',
  'text',
  'body',
  'subject',
  'email',
  '*.password',
  '*.code',
  '*.token',
  '*.text',
  '*.body',
  '*.email',
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
];

const EMAIL = /[^\s@<>"'()[\],;:]{1,64}@[^\s@<>"'()[\],;:]{1,255}\.[A-Za-z]{2,24}/g;

/** A text guard removes what only a PII recogniser can tell (cards, IBANs): the PII engine's. */
export type LogTextGuard = (s: string) => string;

/** Removes personal data that may hide in a free-text log string. */
export function createLogScrubber(guardText: LogTextGuard): (s: string) => string {
  return (s) => guardText(s.replace(EMAIL, '[email]'));
}

function scrubDeep(scrub: (s: string) => string, v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return scrub(v);
  if (depth > 4 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => scrubDeep(scrub, x, depth + 1));
  if (v instanceof Error) return { type: v.name, message: scrub(v.message) };
  // Class instances (requests, replies) are left to their serializers.
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = scrubDeep(scrub, x, depth + 1);
  return out;
}

export interface LogOptions {
  level: string;
  /** Where lines go; tests pass a capturing stream. */
  destination?: pino.DestinationStream;
  /** Given by the composition root (platform/ imports no domain). */
  guardText: LogTextGuard;
}

export function createLogger(opts: LogOptions): Logger {
  const scrubLogText = createLogScrubber(opts.guardText);
  return pino(
    {
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'vigil' },
      serializers: {
        req: (req: { id?: string; method?: string; url?: string; routeOptions?: { url?: string } }) => ({
          id: req.id,
          method: req.method,
          // The route pattern, not the concrete URL: ids and query strings stay out of the log.
          route: req.routeOptions?.url ?? req.url?.split('?')[0],
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
        err: (err: Error & { code?: unknown }) => ({
          type: err.name,
          code: typeof err.code === 'string' ? err.code : undefined,
          message: scrubLogText(err.message ?? ''),
        }),
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => scrubDeep(scrubLogText, a)) as Parameters<typeof method>);
        },
      },
    },
    opts.destination,
  );
}
