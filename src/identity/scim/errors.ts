// SCIM answers errors in its own shape (RFC 7644 §3.12), with Vigil's { error: { code } } beside it.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { VigilError } from '../../platform/errors.ts';

export const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

export type ScimType =
  | 'invalidFilter'
  | 'invalidValue'
  | 'invalidPath'
  | 'noTarget'
  | 'uniqueness'
  | 'invalidSyntax'
  | 'mutability'
  | 'tooMany';

/** A 4xx with the SCIM error type carried as the single detail's path. */
export const scimError = (code: 'invalid_input' | 'conflict', scimType: ScimType, message: string) =>
  new VigilError(code, message, { details: [{ path: `scimType:${scimType}`, message }] });

export function scimErrorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  let e: VigilError;
  if (err instanceof VigilError) e = err;
  else if (err.validation)
    e = scimError('invalid_input', 'invalidSyntax', 'the request does not match the schema');
  else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
    e = new VigilError(
      err.statusCode === 415 ? 'unsupported_media_type' : 'invalid_input',
      'the request was refused',
    );
  else e = new VigilError('internal', 'internal error', { cause: err });
  if (e.status >= 500) req.log.error({ err: e.cause ?? e }, 'scim request failed');
  else req.log.info({ code: e.code }, 'scim request refused');
  const typed = e.details?.[0]?.path?.startsWith('scimType:') ? e.details[0].path.slice(9) : undefined;
  const scimType =
    typed ?? (e.code === 'conflict' ? 'uniqueness' : e.code === 'invalid_input' ? 'invalidValue' : undefined);
  return reply
    .status(e.status)
    .type('application/scim+json')
    .send({
      schemas: [SCIM_ERROR],
      status: String(e.status),
      ...(scimType ? { scimType } : {}),
      detail: e.message,
      // Vigil's own error shape as well, so every client sees the stable code.
      error: { code: e.code, message: e.message },
    });
}
