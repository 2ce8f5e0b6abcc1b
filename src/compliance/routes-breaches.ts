// Breach register routes: the DPO records and manages; security officers read.

import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { docLocale, sendDoc } from '../platform/documents.ts';
import { typedRoutes } from '../platform/http-schemas.ts';
import { type Breaches, EVIDENCE_KINDS, RISKS } from './breaches.ts';
import { anyOk, base, FormatQuery, literals, rule, TenantOnly, tctx, Uuid, WithId } from './http.ts';

const Text = (max: number) => Type.String({ maxLength: max });
const Labels = Type.Array(Type.String({ pattern: '^[A-Za-z0-9 ._/-]{1,60}$' }), { maxItems: 30 });
const Count = Type.Union([Type.Integer({ minimum: 0, maximum: 2_000_000_000 }), Type.Null()]);
const patchFields = {
  title: Type.Optional(Type.String({ minLength: 3, maxLength: 200 })),
  nature: Type.Optional(Text(4000)),
  dataCategories: Type.Optional(Labels),
  subjectCategories: Type.Optional(Labels),
  approxSubjects: Type.Optional(Count),
  approxRecords: Type.Optional(Count),
  consequences: Type.Optional(Text(4000)),
  measures: Type.Optional(Text(4000)),
  dpoContact: Type.Optional(Text(300)),
  risk: Type.Optional(literals(RISKS)),
  delayReason: Type.Optional(Text(2000)),
  alertIds: Type.Optional(Type.Array(Uuid, { maxItems: 50 })),
};

export function breachRoutes(server: FastifyInstance, deps: { breaches: Breaches }) {
  const app = typedRoutes(server);
  const { breaches } = deps;
  const tags = ['compliance'];
  const manage = { auth: rule('manage', 'Compliance') };
  const read = { auth: rule('read', 'Compliance') };
  const id = (req: { params: { id: string } }) => req.params.id;

  app.get(
    `${base}/breaches`,
    { config: read, schema: { tags, params: TenantOnly, response: anyOk() } },
    async (req) => breaches.list(tctx(req)),
  );
  app.post(
    `${base}/breaches`,
    {
      config: manage,
      schema: {
        tags,
        params: TenantOnly,
        body: Type.Object(
          {
            ...patchFields,
            title: Type.String({ minLength: 3, maxLength: 200 }),
            detectedAt: Type.String({ format: 'date-time' }),
            awareAt: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: anyOk(201),
      },
    },
    async (req, reply) => reply.status(201).send(await breaches.create(tctx(req), req.body)),
  );
  app.get(
    `${base}/breaches/:id`,
    { config: read, schema: { tags, params: WithId, response: anyOk() } },
    async (req) => breaches.get(tctx(req), id(req)),
  );
  app.patch(
    `${base}/breaches/:id`,
    {
      config: manage,
      schema: {
        tags,
        params: WithId,
        body: Type.Object(
          { ...patchFields, status: Type.Optional(literals(['assessed', 'closed'] as const)) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: anyOk(),
      },
    },
    async (req) => breaches.update(tctx(req), id(req), req.body),
  );
  app.post(
    `${base}/breaches/:id/notify`,
    {
      config: manage,
      schema: {
        tags,
        params: WithId,
        body: Type.Object(
          {
            who: literals(['authority', 'subjects'] as const),
            at: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        response: anyOk(),
      },
    },
    async (req) => {
      const b = req.body;
      return breaches.notify(tctx(req), id(req), b.who, b.at);
    },
  );
  app.post(
    `${base}/breaches/:id/evidence`,
    {
      config: manage,
      schema: {
        tags,
        params: WithId,
        body: Type.Object(
          {
            kind: literals(EVIDENCE_KINDS),
            ref: Type.String({ pattern: '^[A-Za-z0-9:._/#-]{1,200}$' }),
            note: Type.Optional(Text(1000)),
          },
          { additionalProperties: false },
        ),
        response: anyOk(),
      },
    },
    async (req) => breaches.addEvidence(tctx(req), id(req), req.body),
  );
  app.get(
    `${base}/breaches/:id/notification`,
    { config: manage, schema: { tags, params: WithId, querystring: FormatQuery, response: anyOk() } },
    async (req, reply) => {
      const { breach, doc } = await breaches.notificationDraft(tctx(req), id(req), docLocale(req));
      const format = req.query.format;
      return sendDoc(reply, format, doc, { breach, draft: doc }, `breach-notification-${breach.id}`);
    },
  );
}
