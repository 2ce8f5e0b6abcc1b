// Export of a filtered view of the audit log (issue 25): the same filters as the search, as CSV or
// JSON, at most MAX_EXPORT events (newest first). Every export is itself audited with its format,
// filters and size. CSV cells that a spreadsheet would run as a formula are quoted as text.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import { tenantContextOf } from '../platform/context.ts';
import type { Database } from '../platform/db.ts';
import { errorResponses, TenantParams } from '../platform/http-schemas.ts';
import type { AuditLog } from './log.ts';
import { EventFilterFields, eventFilters } from './routes.ts';
import type { AuditEvent } from './types.ts';

export const MAX_EXPORT = 10_000;
const COLUMNS = [
  'seq',
  'time',
  'actorType',
  'actorId',
  'action',
  'resourceType',
  'resourceId',
  'outcome',
  'reason',
  'meta',
  'prevHash',
  'hash',
] as const;

/** RFC 4180 quoting; a leading =, +, -, @, tab or CR is prefixed with ' (CSV injection). */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(events: readonly AuditEvent[]): string {
  const lines = [COLUMNS.join(',')];
  for (const e of events) lines.push(COLUMNS.map((c) => csvCell(e[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function auditExportRoutes(
  app: FastifyInstance,
  deps: { db: Database; auditLog: AuditLog; audit: AuditRecorder },
) {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/v1/tenants/:tenantSlug/audit/export',
    {
      config: { auth: { tenant: ['read', 'AuditEvent'] }, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['audit'],
        params: TenantParams,
        querystring: Type.Object(
          { ...EventFilterFields, format: Type.Union([Type.Literal('csv'), Type.Literal('json')]) },
          { additionalProperties: false },
        ),
        produces: ['text/csv', 'application/json'],
        response: { 200: Type.Any(), ...errorResponses },
      },
    },
    async (req, reply) => {
      const ctx = tenantContextOf(req);
      const { format, ...q } = req.query;
      const filters = eventFilters(q);
      const events: AuditEvent[] = [];
      let cursor: number | undefined;
      await deps.db.withTenant(ctx.tenant.id, async (tx) => {
        do {
          const page = await deps.auditLog.listEvents(tx, {
            ...filters,
            limit: 1000,
            ...(cursor ? { cursor } : {}),
          });
          events.push(...page.events.slice(0, MAX_EXPORT - events.length));
          cursor = page.nextCursor;
        } while (cursor && events.length < MAX_EXPORT);
      });
      // Recorded before the data leaves, like every read of the log.
      await deps.audit.standalone(
        userAction(ctx, 'audit.export', 'audit_log', null, {
          format,
          events: events.length,
          truncated: events.length >= MAX_EXPORT && cursor !== undefined,
          filters: Object.keys(q).sort().join(',') || null,
          from: q.from ?? null,
          to: q.to ?? null,
        }),
      );
      const name = `audit-${ctx.tenant.slug}-${new Date().toISOString().slice(0, 10)}.${format}`;
      reply
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'no-store');
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(toCsv(events));
      return reply.type('application/json; charset=utf-8').send(JSON.stringify({ events }));
    },
  );
}
