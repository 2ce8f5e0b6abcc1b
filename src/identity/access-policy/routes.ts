// Access policy administration (network and device per role), device registration and approval,
// trainings and attestations (definition, completion, reminders, evidence).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { TENANT_ROLES } from '../../authz/index.ts';
import { tenantContextOf as tctx } from '../../platform/context.ts';
import { VigilError } from '../../platform/errors.ts';
import { errorResponses, Ok, oneOf, TenantParams, typedRoutes, Uuid } from '../../platform/http-schemas.ts';
import { DEVICE_COOKIE, type DeviceService } from './devices.ts';
import { POLICY_ROLES, type PolicyService } from './policies.ts';
import type { TrainingService } from './training.ts';

const Slug = TenantParams.properties.tenantSlug;
const lit = oneOf;
const TRAINING_ROLES = TENANT_ROLES;
const tags = ['identity'];

export interface AccessRouteDeps {
  policies: PolicyService;
  devices: DeviceService;
  trainings: TrainingService;
  secureCookies: boolean;
}

export function accessPolicyRoutes(server: FastifyInstance, deps: AccessRouteDeps): void {
  const app = typedRoutes(server);
  const { policies, devices, trainings } = deps;
  const RoleParams = Type.Object(
    { tenantSlug: Slug, role: lit(POLICY_ROLES) },
    { additionalProperties: false },
  );

  app.get(
    '/api/v1/tenants/:tenantSlug/access/policies',
    {
      config: { auth: { tenant: ['read', 'AccessPolicy'] } },
      schema: { tags, params: TenantParams, response: errorResponses },
    },
    async (req) => ({ policies: await policies.list(tctx(req).tenant.id) }),
  );
  app.put(
    '/api/v1/tenants/:tenantSlug/access/policies/:role',
    {
      config: { auth: { tenant: ['manage', 'AccessPolicy'] } },
      schema: {
        tags,
        params: RoleParams,
        body: Type.Object(
          {
            ipAllow: Type.Union([
              Type.Array(Type.String({ minLength: 2, maxLength: 64 }), { maxItems: 200 }),
              Type.Null(),
            ]),
            deviceApproval: Type.Boolean(),
          },
          { additionalProperties: false },
        ),
        response: errorResponses,
      },
    },
    async (req) => policies.set(tctx(req), req.params.role, req.body),
  );
  app.delete(
    '/api/v1/tenants/:tenantSlug/access/policies/:role',
    {
      config: { auth: { tenant: ['manage', 'AccessPolicy'] } },
      schema: { tags, params: RoleParams, response: { 200: Ok, ...errorResponses } },
    },
    async (req) => {
      await policies.remove(tctx(req), req.params.role);
      return { ok: true };
    },
  );

  app.post(
    '/api/v1/devices',
    {
      config: { auth: { user: true } },
      schema: { tags, response: { 201: Type.Object({ deviceId: Type.String() }), ...errorResponses } },
    },
    async (req, reply: FastifyReply) => {
      const d = await devices.register(req.ctx);
      reply.setCookie(DEVICE_COOKIE, d.token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.secureCookies,
        path: '/',
        maxAge: 400 * 86_400,
      });
      return reply.status(201).send({ deviceId: d.deviceId });
    },
  );
  app.get(
    '/api/v1/tenants/:tenantSlug/access/devices',
    {
      config: { auth: { tenant: ['read', 'Device'] } },
      schema: {
        tags,
        params: TenantParams,
        querystring: Type.Object(
          { status: Type.Optional(lit(['pending', 'approved', 'rejected'] as const)) },
          { additionalProperties: false },
        ),
        response: errorResponses,
      },
    },
    async (req) => ({
      devices: await devices.listApprovals(tctx(req).tenant.id, req.query.status),
    }),
  );
  app.post(
    '/api/v1/tenants/:tenantSlug/access/devices/:deviceId/:decision',
    {
      config: { auth: { tenant: ['update', 'Device'] } },
      schema: {
        tags,
        params: Type.Object(
          { tenantSlug: Slug, deviceId: Uuid, decision: lit(['approve', 'reject'] as const) },
          { additionalProperties: false },
        ),
        response: { 200: Ok, ...errorResponses },
      },
    },
    async (req) => {
      const p = req.params;
      await devices.decide(tctx(req), p.deviceId, p.decision === 'approve');
      return { ok: true };
    },
  );

  // Trainings. Listing, one's own status and recording one's own completion stay reachable without
  // a valid training: that is how a member regains access.
  const exempt = ['training' as const];
  app.get(
    '/api/v1/tenants/:tenantSlug/trainings',
    {
      config: { auth: { tenant: ['read', 'Training'] }, accessExempt: exempt },
      schema: { tags, params: TenantParams, response: errorResponses },
    },
    async (req) => ({ trainings: await trainings.list(tctx(req).tenant.id) }),
  );
  app.get(
    '/api/v1/tenants/:tenantSlug/trainings/mine',
    {
      config: { auth: { tenant: ['read', 'Training'] }, accessExempt: exempt },
      schema: { tags, params: TenantParams, response: errorResponses },
    },
    async (req) => {
      const ctx = tctx(req);
      return { trainings: await trainings.mine(ctx.tenant.id, ctx.actor.id!, ctx.roles) };
    },
  );
  app.post(
    '/api/v1/tenants/:tenantSlug/trainings',
    {
      config: { auth: { tenant: ['create', 'Training'] } },
      schema: {
        tags,
        params: TenantParams,
        body: Type.Object(
          {
            kind: Type.Optional(lit(['training', 'policy'] as const)),
            title: Type.String({ minLength: 1, maxLength: 200 }),
            validityMonths: Type.Integer({ minimum: 1, maximum: 120 }),
            requiredRoles: Type.Optional(
              Type.Array(lit(TRAINING_ROLES), { minItems: 1, maxItems: 6, uniqueItems: true }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Unknown(), ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await trainings.define(tctx(req), req.body)),
  );
  app.patch(
    '/api/v1/tenants/:tenantSlug/trainings/:trainingId',
    {
      config: { auth: { tenant: ['update', 'Training'] } },
      schema: {
        tags,
        params: Type.Object({ tenantSlug: Slug, trainingId: Uuid }, { additionalProperties: false }),
        body: Type.Object(
          {
            title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            validityMonths: Type.Optional(Type.Integer({ minimum: 1, maximum: 120 })),
            requiredRoles: Type.Optional(
              Type.Array(lit(TRAINING_ROLES), { minItems: 1, maxItems: 6, uniqueItems: true }),
            ),
            active: Type.Optional(Type.Boolean()),
            newVersion: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: errorResponses,
      },
    },
    async (req) => trainings.update(tctx(req), req.params.trainingId, req.body),
  );
  app.post(
    '/api/v1/tenants/:tenantSlug/trainings/:trainingId/completions',
    {
      config: { auth: { tenant: ['read', 'Training'] }, accessExempt: exempt },
      schema: {
        tags,
        params: Type.Object({ tenantSlug: Slug, trainingId: Uuid }, { additionalProperties: false }),
        body: Type.Object(
          { userId: Type.Optional(Uuid), completedAt: Type.Optional(Type.String({ format: 'date-time' })) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Unknown(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const ctx = tctx(req);
      const b = req.body;
      const onBehalf = (b.userId !== undefined && b.userId !== ctx.actor.id) || b.completedAt !== undefined;
      // Members acknowledge for themselves, now; recording for others or back-dated needs an admin.
      if (onBehalf && !ctx.ability.can('update', 'Training'))
        throw new VigilError('forbidden', 'only a tenant admin records completions for others');
      const rec = await trainings.complete(
        ctx,
        req.params.trainingId,
        b.userId ?? ctx.actor.id!,
        b.completedAt ? new Date(b.completedAt) : undefined,
      );
      return reply.status(201).send(rec);
    },
  );
  const canOversee = (req: FastifyRequest) => {
    const a = tctx(req).ability;
    if (!a.can('update', 'Training') && !a.can('read', 'Report'))
      throw new VigilError('forbidden', 'your role does not allow this');
  };
  app.get(
    '/api/v1/tenants/:tenantSlug/trainings/expiring',
    {
      config: { auth: { tenant: ['read', 'Training'] } },
      schema: {
        tags,
        params: TenantParams,
        querystring: Type.Object(
          { withinDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })) },
          { additionalProperties: false },
        ),
        response: errorResponses,
      },
    },
    async (req) => {
      canOversee(req);
      const days = req.query.withinDays ?? 30;
      return { withinDays: days, expiring: await trainings.expiring(tctx(req).tenant.id, days) };
    },
  );
  app.get(
    '/api/v1/tenants/:tenantSlug/trainings/evidence',
    {
      config: { auth: { tenant: ['read', 'Training'] } },
      schema: { tags, params: TenantParams, response: errorResponses },
    },
    async (req) => {
      canOversee(req);
      return { records: await trainings.evidence(tctx(req).tenant.id) };
    },
  );
}
