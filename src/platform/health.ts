// Liveness and readiness probes.
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Database } from './db.ts';
import { VigilError } from './errors.ts';
import { errorResponses } from './http-schemas.ts';

export function healthRoutes(app: FastifyInstance, deps: { db: Pick<Database, 'ping'> }): void {
  const Status = Type.Object({ status: Type.String() });
  app.get(
    '/healthz',
    {
      config: { auth: { public: 'liveness probe' } },
      schema: { tags: ['health'], response: { 200: Status } },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      config: { auth: { public: 'readiness probe' } },
      schema: { tags: ['health'], response: { 200: Status, 503: errorResponses[400] } },
    },
    async () => {
      try {
        await deps.db.ping();
      } catch (e) {
        throw new VigilError('service_unavailable', 'database unreachable', { cause: e });
      }
      return { status: 'ready' };
    },
  );
}
