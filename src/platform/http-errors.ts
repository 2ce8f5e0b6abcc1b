// The one place where errors become HTTP responses: { error: { code, message, details? } }.
// Bad input is always a 4xx with a stable code; internals never leak (no stacks, no SQL).
import type { FastifyError, FastifyInstance } from 'fastify';
import { type ErrorCode, VigilError } from './errors.ts';

export interface ErrorBody {
  error: { code: string; message: string; details?: Array<{ path?: string; message: string }> };
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_input',
  FST_ERR_CTP_INVALID_TYPE: 'invalid_input',
  FST_ERR_VALIDATION: 'invalid_input',
  FST_ERR_BAD_URL: 'invalid_input',
  FST_ERR_ASYNC_CONSTRAINT: 'invalid_input',
  FST_ERR_NOT_FOUND: 'not_found',
};

// Plugins' own 4xx answers get the generic code of their status (never a specific one such as
// csrf_failed that happens to share it).
const GENERIC_BY_STATUS: Record<number, ErrorCode> = {
  400: 'invalid_input',
  401: 'unauthenticated',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
};

// The database is down or restarting, or out of resources (53xxx: disk full, out of memory, too
// many connections): a stable 503 the client may retry, never a 500 with details.
const DB_UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[1-3]|53[0-9A-Z]{3})$/;
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTCONN',
  'ENOSPC',
]);
const DRIVER_MESSAGES =
  /Connection terminated|connection timeout|Client has encountered a connection error|Connection is closed|terminating connection/i;

export function isDatabaseUnavailable(e: unknown): boolean {
  let cur: unknown = e;
  for (let i = 0; i < 6 && cur; i++) {
    const c = cur as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof c.code === 'string' && (DB_UNAVAILABLE_SQLSTATE.test(c.code) || NET_CODES.has(c.code)))
      return true;
    if (typeof c.message === 'string' && DRIVER_MESSAGES.test(c.message)) return true;
    cur = c.cause;
  }
  return false;
}

function toVigilError(err: FastifyError): VigilError {
  if (err instanceof VigilError) return err;
  if (err.validation) {
    const details = err.validation.slice(0, 20).map((v) => ({
      path: `${err.validationContext ?? 'body'}${v.instancePath || ''}`,
      message: v.message ?? 'is invalid',
    }));
    return new VigilError('invalid_input', 'the request does not match the schema', { details });
  }
  const code = err.code ? FASTIFY_CODES[err.code] : undefined;
  if (code)
    return new VigilError(
      code,
      code === 'invalid_json' ? 'the body is not valid JSON' : (err.message.split('\n')[0] ?? code),
    );
  if (err.statusCode === 429) return new VigilError('rate_limited', 'too many requests; slow down');
  // Static file serving refuses traversal (`/docs/static/..`) and dot-files with 403: there is no
  // such file to serve, so it answers like any other missing file.
  if (err.statusCode === 403) return new VigilError('not_found', 'not found');
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
    return new VigilError(GENERIC_BY_STATUS[err.statusCode] ?? 'invalid_input', 'the request was refused');
  if (isDatabaseUnavailable(err))
    return new VigilError('service_unavailable', 'the service is temporarily unavailable; retry shortly', {
      cause: err,
      retryAfter: 1,
    });
  return new VigilError('internal', 'internal error', { cause: err });
}

export function installErrorMapper(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const e = toVigilError(err);
    if (e.status >= 500) req.log.error({ err: e.cause ?? e }, 'request failed');
    else req.log.info({ code: e.code }, 'request refused');
    if (e.retryAfter) void reply.header('retry-after', String(e.retryAfter));
    const body: ErrorBody = {
      error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) },
    };
    return reply.status(e.status).send(body);
  });
  app.setNotFoundHandler((_req, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: 'not found' } }),
  );
}
