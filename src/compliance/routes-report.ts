// The client security report (HTML, PDF, JSON): DPO and security officer.
import type { FastifyInstance } from 'fastify';
import { sendDoc } from '../platform/documents.ts';
import { anyOk, base, FormatQuery, rule, TenantOnly, tctx } from './http.ts';
import type { SecurityReport } from './security-report.ts';

export function securityReportRoutes(app: FastifyInstance, deps: { report: SecurityReport }) {
  app.get(
    `${base}/security-report`,
    {
      config: { auth: rule('read', 'Compliance') },
      schema: { tags: ['compliance'], params: TenantOnly, querystring: FormatQuery, response: anyOk() },
    },
    async (req, reply) => {
      const r = await deps.report.build(tctx(req));
      const format = (req.query as { format?: 'json' | 'html' | 'pdf' }).format;
      return sendDoc(reply, format, deps.report.toDoc(r), r, `security-report-${r.tenant.slug}`);
    },
  );
}
