// Shared TypeBox schemas for HTTP boundaries.

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type, { type TSchema } from 'typebox';

export const ErrorResponse = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(
      Type.Array(Type.Object({ path: Type.Optional(Type.String()), message: Type.String() })),
    ),
  }),
});

export const Uuid = Type.String({ format: 'uuid' });
export const TenantParams = Type.Object(
  { tenantSlug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }) },
  { additionalProperties: false },
);
export const Ok = Type.Object({ ok: Type.Boolean() });

/**
 * Standard error responses every route may answer with (documented in OpenAPI). Typed as plain
 * schemas so that the type provider checks request parts, while a handler's success body is
 * checked by its own 2xx schema where the route has one.
 */
export const errorResponses: Record<400 | 401 | 403 | 404 | 409 | 422 | 429, TSchema> = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  422: ErrorResponse,
  429: ErrorResponse,
};

/**
 * A route scope whose handlers see their TypeBox schemas as types: `req.body`, `req.params` and
 * `req.query` are typed by the schema Fastify validated them against, so handlers need no casts.
 */
export const typedRoutes = (app: FastifyInstance) => app.withTypeProvider<TypeBoxTypeProvider>();

/** A 204 answer: documented as null, typed as no body so handlers call `reply.send()`. */
export const NoContent = Type.Unsafe<void>(Type.Null({ description: 'No content' }));

/**
 * One of a list of string constants. The schema is the usual `anyOf` of literals; its static type
 * is the union of the constants (a `Type.Union` over a mapped array would type as `never`).
 */
export const oneOf = <const T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v))));

/**
 * A path parameter read in a hook that runs for many routes (no one schema types it there): the
 * value when the matched route has that parameter, else undefined.
 */
export function paramOf(req: { params: unknown }, name: string): string | undefined {
  const p = req.params;
  if (typeof p !== 'object' || p === null || !(name in p)) return undefined;
  const v: unknown = Reflect.get(p, name);
  return typeof v === 'string' ? v : undefined;
}
