// Security officer API: alerts with evidence and state, per-agent activity (counts only), rule
// configuration and shift schedules. Alert changes are audited.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { RouteRule } from '../authz/route-rules.ts';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import { VigilError } from '../platform/errors.ts';
import { errorResponses, oneOf, TenantParams, typedRoutes, Uuid } from '../platform/http-schemas.ts';
import type { Monitor } from './service.ts';
import { RESPONSE_ACTIONS, RULE_IDS, SEVERITIES } from './types.ts';

const Slug = TenantParams.properties.tenantSlug;
const lit = oneOf;
const AlertStates = ['open', 'acknowledged', 'resolved', 'false_positive'] as const;
const AlertQuery = Type.Object(
  {
    state: Type.Optional(lit(AlertStates)),
    severity: Type.Optional(lit(SEVERITIES)),
    ruleId: Type.Optional(lit(RULE_IDS)),
    subjectId: Type.Optional(Uuid),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);
const AlertPage = Type.Object({
  items: Type.Array(Type.Any()),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
const AlertChange = Type.Object(
  {
    state: Type.Optional(lit(AlertStates)),
    comment: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export function monitoringRoutes(server: FastifyInstance, deps: { monitor: Monitor; audit: AuditRecorder }) {
  const app = typedRoutes(server);
  const { monitor, audit } = deps;
  const read: RouteRule = { tenant: ['read', 'Alert'] };
  const write: RouteRule = { tenant: ['update', 'Alert'] };
  const record = (
    req: FastifyRequest,
    action: string,
    resourceType: string,
    resourceId: string | null,
    meta: Record<string, string | number | boolean | null> = {},
  ) => audit.standalone(userAction(req.ctx, action, resourceType, resourceId, meta));

  app.get(
    '/api/v1/tenants/:tenantSlug/alerts',
    {
      config: { auth: read },
      schema: {
        tags: ['monitoring'],
        params: TenantParams,
        querystring: AlertQuery,
        response: { 200: AlertPage, ...errorResponses },
      },
    },
    async (req) => monitor.listAlerts(req.ctx.tenant!.id, req.query),
  );

  app.get(
    '/api/v1/admin/alerts',
    {
      config: { auth: { platform: ['read', 'Alert'] } },
      schema: {
        tags: ['monitoring'],
        querystring: AlertQuery,
        response: { 200: AlertPage, ...errorResponses },
      },
    },
    async (req) => monitor.listAlerts(null, req.query),
  );

  const AlertParams = Type.Object({ tenantSlug: Slug, alertId: Uuid }, { additionalProperties: false });
  app.get(
    '/api/v1/tenants/:tenantSlug/alerts/:alertId',
    {
      config: { auth: read },
      schema: { tags: ['monitoring'], params: AlertParams, response: { 200: Type.Any(), ...errorResponses } },
    },
    async (req) => monitor.getAlert(req.ctx.tenant!.id, req.params.alertId),
  );

  app.patch(
    '/api/v1/tenants/:tenantSlug/alerts/:alertId',
    {
      config: { auth: write },
      schema: {
        tags: ['monitoring'],
        params: AlertParams,
        body: AlertChange,
        response: { 200: Type.Any(), ...errorResponses },
      },
    },
    async (req) => {
      const { alertId } = req.params;
      const change = req.body;
      const detail = await monitor.updateAlert(req.ctx.tenant!.id, alertId, change, {
        userId: req.ctx.actor.id!,
      });
      await record(req, 'alert.update', 'alert', alertId, {
        state: change.state ?? null,
        commented: change.comment !== undefined,
      });
      return detail;
    },
  );

  app.get(
    '/api/v1/tenants/:tenantSlug/users/:userId/activity',
    {
      config: { auth: read },
      schema: {
        tags: ['monitoring'],
        params: Type.Object({ tenantSlug: Slug, userId: Uuid }, { additionalProperties: false }),
        response: { 200: Type.Any(), ...errorResponses },
      },
    },
    async (req) => monitor.agentActivitySummary(req.ctx.tenant!.id, req.params.userId),
  );

  app.get(
    '/api/v1/tenants/:tenantSlug/monitoring/rules',
    {
      config: { auth: read },
      schema: {
        tags: ['monitoring'],
        params: TenantParams,
        response: { 200: Type.Object({ rules: Type.Array(Type.Any()) }), ...errorResponses },
      },
    },
    async (req) => ({ rules: monitor.getRuleConfigs(req.ctx.tenant!.id) }),
  );

  app.put(
    '/api/v1/tenants/:tenantSlug/monitoring/rules/:ruleId',
    {
      config: { auth: write },
      schema: {
        tags: ['monitoring'],
        params: Type.Object({ tenantSlug: Slug, ruleId: lit(RULE_IDS) }, { additionalProperties: false }),
        body: Type.Union([
          Type.Null(),
          Type.Object(
            {
              enabled: Type.Optional(Type.Boolean()),
              threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9 })),
              windowSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 30 * 86400 })),
              severity: Type.Optional(lit(SEVERITIES)),
              action: Type.Optional(lit(RESPONSE_ACTIONS)),
              params: Type.Optional(
                Type.Record(
                  Type.String({ maxLength: 40 }),
                  Type.Union([Type.Number(), Type.String({ maxLength: 100 }), Type.Boolean()]),
                ),
              ),
            },
            { additionalProperties: false },
          ),
        ]),
        response: { 200: Type.Any(), ...errorResponses },
      },
    },
    async (req) => {
      const { ruleId } = req.params;
      const view = await monitor.setRuleConfig(req.ctx.tenant!.id, ruleId, req.body, req.ctx.actor.id!);
      await record(req, 'monitoring.rule.update', 'monitoring_rule', null, {
        ruleId,
        action: view.action,
        enabled: view.enabled,
      });
      return view;
    },
  );

  app.put(
    '/api/v1/tenants/:tenantSlug/users/:userId/shifts',
    {
      config: { auth: write },
      schema: {
        tags: ['monitoring'],
        params: Type.Object({ tenantSlug: Slug, userId: Uuid }, { additionalProperties: false }),
        body: Type.Union([
          Type.Null(),
          Type.Object(
            {
              timeZone: Type.String({ minLength: 1, maxLength: 64 }),
              slots: Type.Array(
                Type.Object(
                  {
                    days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7 }),
                    start: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
                    end: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
                  },
                  { additionalProperties: false },
                ),
                { maxItems: 21 },
              ),
            },
            { additionalProperties: false },
          ),
        ]),
        response: { 200: Type.Object({ ok: Type.Boolean() }), ...errorResponses },
      },
    },
    async (req) => {
      const { userId } = req.params;
      const body = req.body;
      if (body && !Intl.supportedValuesOf('timeZone').includes(body.timeZone) && body.timeZone !== 'UTC')
        throw new VigilError('invalid_input', 'unknown time zone');
      await monitor.setShifts(req.ctx.tenant!.id, userId, req.body);
      await record(req, 'monitoring.shifts.update', 'user', userId);
      return { ok: true };
    },
  );
}
