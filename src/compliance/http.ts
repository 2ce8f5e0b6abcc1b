// Shared pieces of the compliance routes: schemas, the tenant context, rules.
import Type from 'typebox';
import type { Action, Subject } from '../authz/roles.ts';
import type { TenantContext } from '../platform/context.ts';
import { errorResponses, oneOf } from '../platform/http-schemas.ts';

export const base = '/api/v1/tenants/:tenantSlug/compliance';
export const tctx = (req: { ctx: unknown }) => req.ctx as TenantContext;
export const rule = (action: Action, subject: Subject) => ({
  tenant: [action, subject] as [Action, Subject],
});
export const Uuid = Type.String({ format: 'uuid' });
export const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' });
export const TenantOnly = Type.Object({ tenantSlug: Slug }, { additionalProperties: false });
export const WithId = Type.Object({ tenantSlug: Slug, id: Uuid }, { additionalProperties: false });
export const anyOk = (status = 200): Record<number, unknown> => ({ ...errorResponses, [status]: Type.Any() });
export const literals = oneOf;
/** `?format=` and `?lang=` of the document routes. */
export { DocQuery as FormatQuery } from '../platform/documents.ts';
