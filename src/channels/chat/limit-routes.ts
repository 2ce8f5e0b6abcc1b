// Tenant admins read and set the tenant's widget rate limits; null restores the platform value.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { type AuditRecorder, userAction } from '../../platform/audit-port.ts';
import type { Database } from '../../platform/db.ts';
import { errorResponses, TenantParams } from '../../platform/http-schemas.ts';
import {
  effectiveLimits,
  type PlatformWidgetLimits,
  setTenantWidgetLimits,
  TenantWidgetLimits,
  tenantWidgetLimits,
} from './limits.ts';
import type { ChatService } from './service.ts';

const Effective = Type.Object({
  perIp: Type.Integer(),
  perVisitor: Type.Integer(),
  anonymousPerIp: Type.Integer(),
});
const View = Type.Object({ tenant: TenantWidgetLimits, effective: Effective });

export function widgetLimitRoutes(
  app: FastifyInstance,
  deps: {
    db: Database;
    audit: AuditRecorder;
    chat: Pick<ChatService, 'forget'>;
    platform: PlatformWidgetLimits;
  },
) {
  const { db, audit, platform } = deps;
  const path = '/api/v1/tenants/:tenantSlug/settings/rate-limits';
  app.get(
    path,
    {
      config: { auth: { tenant: ['read', 'TenantSettings'] } },
      schema: { tags: ['settings'], params: TenantParams, response: { 200: View, ...errorResponses } },
    },
    async (req) => {
      const own = await db.withTenant(req.ctx.tenant!.id, (tx) => tenantWidgetLimits(tx));
      return { tenant: own, effective: effectiveLimits(platform, own) };
    },
  );
  app.put(
    path,
    {
      config: { auth: { tenant: ['update', 'TenantSettings'] } },
      schema: {
        tags: ['settings'],
        params: TenantParams,
        body: TenantWidgetLimits,
        response: { 200: View, ...errorResponses },
      },
    },
    async (req) => {
      const tenant = req.ctx.tenant!;
      const body = req.body as TenantWidgetLimits;
      const own = await db.withTenant(tenant.id, async (tx) => {
        await setTenantWidgetLimits(tx, tenant.id, body);
        const now = await tenantWidgetLimits(tx);
        await audit.inTx(
          tx,
          userAction(req.ctx, 'settings.rate_limits.update', 'tenant_settings', tenant.id, {
            perIp: now.widgetPerIpPerMinute,
            perVisitor: now.widgetPerVisitorPerMinute,
            anonymousPerIp: now.widgetAnonymousPerIpPerMinute,
          }),
        );
        return now;
      });
      // This node applies it at once; the others within their widget cache time (5 s).
      deps.chat.forget(tenant.slug);
      return { tenant: own, effective: effectiveLimits(platform, own) };
    },
  );
}
