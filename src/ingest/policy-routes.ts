// Tenant admins read and set the tenant's PII policy. The fixed PCI rule (no stored card numbers
// or CVVs) is applied whatever is sent, and the coercions come back as warnings.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import type { Database } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { errorResponses, TenantParams, typedRoutes } from '../platform/http-schemas.ts';
import type { PolicyStore } from './policy.ts';

export function piiPolicyRoutes(
  server: FastifyInstance,
  deps: { db: Database; policies: PolicyStore; audit: AuditRecorder },
) {
  const app = typedRoutes(server);
  const { db, policies, audit } = deps;
  const path = '/api/v1/tenants/:tenantSlug/settings/pii-policy';
  app.get(
    path,
    {
      config: { auth: { tenant: ['read', 'TenantSettings'] } },
      schema: {
        tags: ['settings'],
        params: TenantParams,
        response: { 200: Type.Object({ policy: Type.Any() }), ...errorResponses },
      },
    },
    async (req) => ({
      policy: await db.withTenant(req.ctx.tenant!.id, (tx) => policies.policyFor(tx, req.ctx.tenant!.id)),
    }),
  );

  app.put(
    path,
    {
      config: { auth: { tenant: ['update', 'TenantSettings'] } },
      schema: {
        tags: ['settings'],
        params: TenantParams,
        body: Type.Object(
          { policy: Type.Object({}, { additionalProperties: true, maxProperties: 10 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ policy: Type.Any(), warnings: Type.Array(Type.String()) }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const tenantId = req.ctx.tenant!.id;
      return db.withTenant(tenantId, async (tx) => {
        let warnings: string[];
        try {
          ({ warnings } = await policies.setPolicy(tx, tenantId, req.body.policy));
        } catch (e) {
          if (e instanceof VigilError) throw e;
          throw new VigilError('invalid_input', 'the policy is not valid');
        }
        await audit.inTx(
          tx,
          userAction(req.ctx, 'settings.pii_policy.update', 'tenant_settings', tenantId, {
            warnings: warnings.length,
          }),
        );
        return { policy: await policies.policyFor(tx, tenantId), warnings };
      });
    },
  );
}
