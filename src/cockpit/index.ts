// Registers the Cockpit (client tools governed through the browser extension) on the app.
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { Database } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { type CockpitHub, createCockpitHub } from './hub.ts';
import { cockpitRoutes } from './routes.ts';
import { type CockpitService, createCockpitService } from './service.ts';

export interface Cockpit {
  service: CockpitService;
  hub: CockpitHub;
}

export async function registerCockpit(
  http: FastifyInstance,
  deps: {
    db: Database;
    audit: AuditRecorder;
    heartbeatGraceSeconds: number;
    publicUrl?: string;
    /** The tamper response 'suspend': ends every Vigil session of the user. */
    revokeSessions?: (userId: string, reason: string) => Promise<unknown>;
    onError?: (e: unknown, where: string) => void;
  },
): Promise<Cockpit> {
  if (!http.hasDecorator('websocketServer'))
    await http.register(websocket, { options: { maxPayload: 64 * 1024 } });
  const service = createCockpitService({
    db: deps.db,
    audit: deps.audit,
    defaultTamperGraceSeconds: deps.heartbeatGraceSeconds,
    ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}),
    ...(deps.revokeSessions ? { revokeSessions: deps.revokeSessions } : {}),
  });
  const hub = createCockpitHub(service, {
    heartbeatGraceMs: deps.heartbeatGraceSeconds * 1000,
    onError: deps.onError,
  });
  http.addHook('onClose', async () => hub.close());

  // Cached for a few seconds per node by the service.
  const requiresCockpit = (tenantId: string) => service.requireActive(tenantId);
  // A tenant that requires an active Cockpit refuses its data to front-line users without one.
  http.addHook('preHandler', async (req) => {
    const ctx = req.ctx;
    if (!ctx?.tenant || ctx.actor.type !== 'user' || !ctx.actor.id) return;
    if (!ctx.roles.some((r) => r === 'agent' || r === 'supervisor')) return;
    if (req.url.startsWith('/api/v1/cockpit/') || !(await requiresCockpit(ctx.tenant.id))) return;
    if (!(await service.hasLiveCockpit(ctx.actor.id)))
      throw new VigilError('forbidden', 'this tenant requires an active Vigil Cockpit in your browser');
  });

  cockpitRoutes(http, { cockpit: service, hub, ...(deps.publicUrl ? { publicUrl: deps.publicUrl } : {}) });
  return { service, hub };
}
