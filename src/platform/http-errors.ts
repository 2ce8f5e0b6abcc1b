// The one place where errors become HTTP responses: { error: { code, message, details? } }.
// Bad input is always a 4xx with a stable code; internals never leak (no stacks, no SQL).
import type { FastifyError, FastifyInstance } from 'fastify';
import { type ErrorCode, errorStatus, VigilError } from './errors.ts';

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
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    const byStatus = (Object.entries(errorStatus).find(([, s]) => s === err.statusCode)?.[0] ??
      'invalid_input') as ErrorCode;
    return new VigilError(byStatus, 'the request was refused');
  }
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
