// HTTP and WebSocket API of the Cockpit. Extension endpoints are 'public' for the session guard
// and authenticate the device-bound Cockpit token themselves (Bearer header, or the first
// WebSocket message so the token never appears in a URL or access log).
import type { FastifyInstance, FastifyRequest, RouteShorthandOptions } from 'fastify';
import Type from 'typebox';
import { isValidSchedule } from '../monitoring/schedule.ts';
import { userAction } from '../platform/audit-port.ts';
import { tenantContextOf as tctx } from '../platform/context.ts';
import { invalidInput, VigilError } from '../platform/errors.ts';
import { errorResponses, TenantParams, typedRoutes } from '../platform/http-schemas.ts';
import type { CockpitHub } from './hub.ts';
import { isValidOrigin, PATH_PATTERN } from './paths.ts';
import { CHROME_WEB_STORE_UPDATE_URL, EXTENSION_ID, enterprisePolicy } from './policy.ts';
import type { CockpitService } from './service.ts';
import { SettingsBody } from './settings.ts';
import type { ToolInput } from './store.ts';

const EXTENSION = { public: 'Cockpit extension: authenticated by its device-bound Cockpit token' };
const bearerOf = (req: FastifyRequest) => /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];

const PathPattern = Type.String({ pattern: PATH_PATTERN.source, maxLength: 200 });
const ToolBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    origins: Type.Array(Type.String({ maxLength: 200 }), { minItems: 1, maxItems: 10, uniqueItems: true }),
    allowedPaths: Type.Optional(Type.Array(PathPattern, { maxItems: 100 })),
    forbiddenPaths: Type.Optional(Type.Array(PathPattern, { maxItems: 100 })),
    roles: Type.Optional(
      Type.Array(Type.Union([Type.Literal('agent'), Type.Literal('supervisor')]), {
        maxItems: 2,
        uniqueItems: true,
      }),
    ),
    queues: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 50, uniqueItems: true })),
    allowedHours: Type.Optional(Type.Union([Type.Null(), Type.Object({}, { additionalProperties: true })])),
    downloadPolicy: Type.Optional(
      Type.Union([Type.Literal('block'), Type.Literal('allow'), Type.Literal('record')]),
    ),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
type ToolBodyT = Type.Static<typeof ToolBody>;
const ToolParams = Type.Object(
  { tenantSlug: TenantParams.properties.tenantSlug, toolId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

function toolInput(b: ToolBodyT): ToolInput {
  const bad = b.origins.filter((o) => !isValidOrigin(o));
  if (bad.length)
    throw invalidInput('origins must be http(s) origins like https://crm.example.com', [
      { path: 'origins', message: 'not an origin' },
    ]);
  if (b.allowedHours != null && !isValidSchedule(b.allowedHours))
    throw invalidInput('allowedHours must be { timeZone, slots: [{ days, start, end }] }', [
      { path: 'allowedHours', message: 'invalid schedule' },
    ]);
  return {
    name: b.name,
    origins: b.origins,
    allowedPaths: b.allowedPaths ?? [],
    forbiddenPaths: b.forbiddenPaths ?? [],
    roles: b.roles ?? ['agent', 'supervisor'],
    queues: b.queues ?? [],
    allowedHours: (b.allowedHours ?? null) as ToolInput['allowedHours'],
    downloadPolicy: b.downloadPolicy ?? 'record',
    enabled: b.enabled ?? true,
  };
}

const Jwk = Type.Object(
  {
    kty: Type.Literal('EC'),
    crv: Type.Literal('P-256'),
    x: Type.String({ maxLength: 64 }),
    y: Type.String({ maxLength: 64 }),
  },
  { additionalProperties: true },
);
const EventBody = Type.Object(
  {
    events: Type.Array(
      Type.Object(
        {
          kind: Type.Union([
            Type.Literal('visit'),
            Type.Literal('blocked'),
            Type.Literal('download'),
            Type.Literal('action'),
          ]),
          origin: Type.String({ maxLength: 200 }),
          path: Type.String({ maxLength: 512 }),
          reason: Type.Optional(Type.String({ maxLength: 32 })),
          method: Type.Optional(Type.String({ maxLength: 16 })),
          outcome: Type.Optional(Type.Union([Type.Literal('allowed'), Type.Literal('blocked')])),
          seq: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
          at: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  { additionalProperties: false },
);

export function cockpitRoutes(
  server: FastifyInstance,
  deps: { cockpit: CockpitService; hub: CockpitHub; publicUrl?: string },
): void {
  const app = typedRoutes(server);
  const { cockpit, hub } = deps;

  // ---- pairing (the signed-in agent in Vigil) and the extension's own endpoints -----------------
  app.post(
    '/api/v1/cockpit/pairing-codes',
    {
      config: { auth: { user: true } },
      schema: {
        tags: ['cockpit'],
        response: { 200: Type.Object({ code: Type.String(), expiresAt: Type.String() }), ...errorResponses },
      },
    },
    async (req) => {
      const { id, sessionId } = req.ctx.actor;
      if (!id || !sessionId) throw new VigilError('unauthenticated', 'not signed in');
      return cockpit.createPairingCode(id, sessionId);
    },
  );

  app.post(
    '/api/v1/cockpit/pair',
    {
      config: {
        auth: { public: 'Cockpit pairing: authenticated by a one-time code from a signed-in session' },
        rateLimit: { max: 30, timeWindow: 60_000 },
      },
      schema: {
        tags: ['cockpit'],
        body: Type.Object(
          {
            code: Type.String({ minLength: 10, maxLength: 64 }),
            publicKey: Jwk,
            version: Type.String({ maxLength: 32 }),
            managed: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const b = req.body;
      return cockpit.pair(b.code, b.publicKey, b.version, b.managed === true);
    },
  );

  app.post(
    '/api/v1/cockpit/token',
    {
      config: { auth: EXTENSION },
      schema: {
        tags: ['cockpit'],
        body: Type.Object(
          { ts: Type.Integer(), signature: Type.String({ maxLength: 200 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const d = await cockpit.authenticate(bearerOf(req));
      const b = req.body;
      return cockpit.renew(d, b.ts, b.signature);
    },
  );

  app.get(
    '/api/v1/cockpit/rules',
    { config: { auth: EXTENSION }, schema: { tags: ['cockpit'] } },
    async (req) => {
      const d = await cockpit.authenticate(bearerOf(req));
      return cockpit.rulesFor(d.user_id);
    },
  );

  app.post(
    '/api/v1/cockpit/events',
    { config: { auth: EXTENSION }, schema: { tags: ['cockpit'], body: EventBody } },
    async (req) => {
      const d = await cockpit.authenticateEvents(bearerOf(req));
      const { events } = req.body;
      return { recorded: await cockpit.ingest(d, events) };
    },
  );

  app.post(
    '/api/v1/cockpit/signout',
    { config: { auth: EXTENSION }, schema: { tags: ['cockpit'] } },
    async (req) => {
      const d = await cockpit.authenticate(bearerOf(req));
      await cockpit.signOut(d);
      return { ok: true };
    },
  );

  // Chrome opens this address when the extension is removed (chrome.runtime.setUninstallURL).
  app.get(
    '/api/v1/cockpit/uninstalled',
    {
      config: { auth: { public: 'Cockpit removal notice: authenticated by the device uninstall secret' } },
      schema: {
        tags: ['cockpit'],
        querystring: Type.Object(
          { d: Type.String({ format: 'uuid' }), s: Type.String({ minLength: 20, maxLength: 64 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const q = req.query;
      await cockpit.uninstalled(q.d, q.s);
      reply.type('text/plain; charset=utf-8');
      return 'Vigil Cockpit was removed from this browser. Your security officer has been informed.';
    },
  );

  app.get(
    '/api/v1/cockpit/socket',
    {
      config: { auth: EXTENSION },
      schema: { tags: ['cockpit'] },
      wsHandler: (socket: {
        send(s: string): void;
        close(c?: number, r?: string): void;
        on(ev: string, fn: (...a: unknown[]) => void): void;
      }) => {
        let detach: (() => void) | null = null;
        let deviceId: string | null = null;
        const hello = setTimeout(() => socket.close(4401, 'hello expected'), 10_000);
        socket.on('message', (raw: unknown) => {
          void (async () => {
            let msg: { type?: unknown; token?: unknown };
            try {
              msg = JSON.parse(String(raw));
            } catch {
              return socket.close(4400, 'bad message');
            }
            if (msg.type === 'hello' && !detach && typeof msg.token === 'string') {
              try {
                const d = await cockpit.authenticate(msg.token);
                clearTimeout(hello);
                deviceId = d.id;
                detach = hub.attach(d, socket);
                await hub.ping(d.id);
              } catch {
                socket.send(JSON.stringify({ type: 'revoke', reason: 'not_signed_in' }));
                socket.close(4401, 'unauthenticated');
              }
            } else if (msg.type === 'ping' && deviceId) {
              await hub.ping(deviceId);
              socket.send(JSON.stringify({ type: 'pong' }));
            }
          })().catch(() => socket.close(1011, 'error'));
        });
        socket.on('close', () => {
          clearTimeout(hello);
          detach?.();
          // The watchdog's grace runs from the moment the extension went away.
          if (deviceId) void cockpit.touch(deviceId).catch(() => {});
        });
      },
    } as RouteShorthandOptions,
    async () => {
      throw new VigilError('invalid_input', 'a WebSocket upgrade is required');
    },
  );

  // ---- tenant administration (catalogue, settings) and the security officer view --------------
  const T = 'cockpit';
  app.get(
    '/api/v1/tenants/:tenantSlug/cockpit/tools',
    {
      config: { auth: { tenant: ['manage', 'TenantSettings'] } },
      schema: { tags: [T], params: TenantParams },
    },
    async (req) => ({ items: await cockpit.listTools(tctx(req).tenant.id) }),
  );
  app.post(
    '/api/v1/tenants/:tenantSlug/cockpit/tools',
    {
      config: { auth: { tenant: ['manage', 'TenantSettings'] } },
      schema: { tags: [T], params: TenantParams, body: ToolBody },
    },
    async (req, reply) => {
      const ctx = tctx(req);
      const tool = await cockpit.createTool(
        ctx.tenant.id,
        toolInput(req.body),
        userAction(ctx, 'cockpit.tool_create', 'cockpit_tool', null),
      );
      void hub.pushRules().catch(() => {});
      reply.code(201);
      return tool;
    },
  );
  app.put(
    '/api/v1/tenants/:tenantSlug/cockpit/tools/:toolId',
    {
      config: { auth: { tenant: ['manage', 'TenantSettings'] } },
      schema: { tags: [T], params: ToolParams, body: ToolBody },
    },
    async (req) => {
      const ctx = tctx(req);
      const { toolId } = req.params;
      const tool = await cockpit.updateTool(
        ctx.tenant.id,
        toolId,
        toolInput(req.body),
        userAction(ctx, 'cockpit.tool_update', 'cockpit_tool', toolId),
      );
      await hub.pushRules();
      return tool;
    },
  );
  app.delete(
    '/api/v1/tenants/:tenantSlug/cockpit/tools/:toolId',
    { config: { auth: { tenant: ['manage', 'TenantSettings'] } }, schema: { tags: [T], params: ToolParams } },
    async (req) => {
      const ctx = tctx(req);
      const { toolId } = req.params;
      await cockpit.deleteTool(
        ctx.tenant.id,
        toolId,
        userAction(ctx, 'cockpit.tool_delete', 'cockpit_tool', toolId),
      );
      await hub.pushRules();
      return { ok: true };
    },
  );
  app.get(
    '/api/v1/tenants/:tenantSlug/cockpit/settings',
    {
      config: { auth: { tenant: ['manage', 'TenantSettings'] } },
      schema: { tags: [T], params: TenantParams },
    },
    async (req) => cockpit.settingsOf(tctx(req).tenant.id),
  );
  app.put(
    '/api/v1/tenants/:tenantSlug/cockpit/settings',
    {
      config: { auth: { tenant: ['manage', 'TenantSettings'] } },
      schema: { tags: [T], params: TenantParams, body: SettingsBody },
    },
    async (req) => {
      const ctx = tctx(req);
      const patch = req.body;
      const next = await cockpit.updateSettings(
        ctx.tenant.id,
        patch,
        userAction(ctx, 'cockpit.settings_update', 'tenant', ctx.tenant.id, {
          ...Object.fromEntries(Object.entries(patch).filter(([, x]) => x !== undefined)),
        }),
      );
      // Unlisted sites, grace and heartbeat reach connected extensions at once.
      await hub.pushRules();
      return next;
    },
  );
  app.get(
    '/api/v1/tenants/:tenantSlug/cockpit/policy',
    {
      config: { auth: { tenant: ['manage', 'TenantSettings'] } },
      schema: {
        tags: [T],
        params: TenantParams,
        querystring: Type.Object(
          {
            browser: Type.Optional(Type.Union([Type.Literal('chrome'), Type.Literal('edge')])),
            extensionId: Type.String({ pattern: EXTENSION_ID.source }),
            updateUrl: Type.Optional(Type.String({ pattern: '^https://[^\\s]{1,300}$' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const ctx = tctx(req);
      const q = req.query;
      return enterprisePolicy({
        browser: q.browser ?? 'chrome',
        extensionId: q.extensionId,
        updateUrl: q.updateUrl ?? CHROME_WEB_STORE_UPDATE_URL,
        tenantSlug: ctx.tenant.slug,
        ...(deps.publicUrl ? { vigilUrl: deps.publicUrl } : {}),
        tools: await cockpit.listTools(ctx.tenant.id),
      });
    },
  );
  app.get(
    '/api/v1/tenants/:tenantSlug/cockpit/agents',
    { config: { auth: { tenant: ['read', 'Alert'] } }, schema: { tags: [T], params: TenantParams } },
    async (req) => {
      const ctx = tctx(req);
      const [items, tools, requireActive] = await Promise.all([
        cockpit.overview(ctx.tenant.id),
        cockpit.listTools(ctx.tenant.id),
        cockpit.requireActive(ctx.tenant.id),
      ]);
      return { requireActive, tools: tools.map((t) => ({ id: t.id, name: t.name })), items };
    },
  );
}
