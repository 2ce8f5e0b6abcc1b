// Art. 30 record: read/export (JSON, HTML, PDF) and edit, for the DPO.

import type { FastifyInstance } from 'fastify';
import { docLocale, sendDoc } from '../platform/documents.ts';
import { typedRoutes } from '../platform/http-schemas.ts';
import { anyOk, base, FormatQuery, rule, TenantOnly, tctx } from './http.ts';
import { type Ropa, RopaDocument } from './ropa.ts';

export function ropaRoutes(server: FastifyInstance, deps: { ropa: Ropa }) {
  const app = typedRoutes(server);
  const { ropa } = deps;
  const tags = ['compliance'];
  app.get(
    `${base}/processing-record`,
    {
      config: { auth: rule('read', 'Compliance') },
      schema: { tags, params: TenantOnly, querystring: FormatQuery, response: anyOk() },
    },
    async (req, reply) => {
      const r = await ropa.get(tctx(req));
      return sendDoc(reply, req.query.format, ropa.toDoc(r, docLocale(req)), r, 'processing-record');
    },
  );
  app.put(
    `${base}/processing-record`,
    {
      config: { auth: rule('manage', 'Compliance') },
      schema: { tags, params: TenantOnly, body: RopaDocument, response: anyOk() },
    },
    async (req) => ropa.put(tctx(req), req.body),
  );
}
