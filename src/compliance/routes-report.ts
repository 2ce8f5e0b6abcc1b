// The client security report (HTML, PDF, JSON): DPO and security officer.

import type { FastifyInstance } from 'fastify';
import { docLocale, sendDoc } from '../platform/documents.ts';
import { typedRoutes } from '../platform/http-schemas.ts';
import { anyOk, base, FormatQuery, rule, TenantOnly, tctx } from './http.ts';
import type { SecurityReport } from './security-report.ts';

export function securityReportRoutes(server: FastifyInstance, deps: { report: SecurityReport }) {
  const app = typedRoutes(server);
  app.get(
    `${base}/security-report`,
    {
      config: { auth: rule('read', 'Compliance') },
      schema: { tags: ['compliance'], params: TenantOnly, querystring: FormatQuery, response: anyOk() },
    },
    async (req, reply) => {
      const r = await deps.report.build(tctx(req));
      const format = req.query.format;
      return sendDoc(
        reply,
        format,
        deps.report.toDoc(r, docLocale(req)),
        r,
        `security-report-${r.tenant.slug}`,
      );
    },
  );
}
