// HTTP API of payment capture. Agents (verify... no: Payment create/read/update) ask for and follow
// payments on their conversations; the telephony integration's token (scope calls:write, action
// 'capture' that no human role holds) posts keyed digits; customers use the hosted page.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import type { RouteRule } from '../authz/route-rules.ts';
import { tenantContextOf as tctx } from '../platform/context.ts';
import { VigilError } from '../platform/errors.ts';
import { errorResponses } from '../platform/http-schemas.ts';
import { PAY_CSS, PAY_ICON, PAY_JS, PAY_PAGE_HEADERS, payForm, payResult } from './page.ts';
import type { PaymentService } from './service.ts';

const Slug = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' });
const Uuid = Type.String({ format: 'uuid' });
const ConvParams = Type.Object({ tenantSlug: Slug, conversationId: Uuid }, { additionalProperties: false });
const PaymentParams = Type.Object(
  { tenantSlug: Slug, conversationId: Uuid, paymentId: Uuid },
  { additionalProperties: false },
);
const CallParams = Type.Object({ tenantSlug: Slug, callId: Uuid }, { additionalProperties: false });
const CallPaymentParams = Type.Object(
  { tenantSlug: Slug, callId: Uuid, paymentId: Uuid },
  { additionalProperties: false },
);
const LinkParams = Type.Object(
  { tenantSlug: Slug, token: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }) },
  { additionalProperties: false },
);

const NewPaymentBody = Type.Object(
  {
    amountMinor: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    // A reference the customer recognizes (invoice, order): no free text, so no personal data.
    reference: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9 ._/#-]{0,63}$' }),
    method: Type.Union([Type.Literal('link'), Type.Literal('dtmf')]),
    sendToCustomer: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const PaymentSchema = Type.Object(
  {
    id: Type.String(),
    conversationId: Type.String(),
    method: Type.String(),
    amountMinor: Type.Integer(),
    currency: Type.String(),
    reference: Type.String(),
    status: Type.String(),
    card: Type.Union([Type.Object({ brand: Type.String(), last4: Type.String() }), Type.Null()]),
    declineCode: Type.Union([Type.String(), Type.Null()]),
    recordingPaused: Type.Boolean(),
    expiresAt: Type.String(),
    createdAt: Type.String(),
    completedAt: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
const CreatedSchema = Type.Object(
  {
    ...PaymentSchema.properties,
    link: Type.Union([Type.String(), Type.Null()]),
    sentToCustomer: Type.Boolean(),
    sentVia: Type.Union([Type.Literal('chat'), Type.Literal('email'), Type.Null()]),
  },
  { additionalProperties: false },
);

// Card fields: bounded strings only; the service checks them (Luhn, expiry, CVC) so a typo gets a
// friendly page, never a schema error that could echo input.
const CardFields = {
  number: Type.String({ maxLength: 40 }),
  expiry: Type.String({ maxLength: 10 }),
  cvc: Type.String({ maxLength: 8 }),
};
const DtmfBody = Type.Object(
  {
    cardNumber: Type.String({ pattern: '^[0-9]{12,19}$' }),
    expiry: Type.String({ pattern: '^[0-9]{4}$' }),
    cvc: Type.String({ pattern: '^[0-9]{3,4}$' }),
  },
  { additionalProperties: false },
);

const telephony: RouteRule = { tenant: ['capture', 'Payment'], tokenScope: 'calls:write' };

export function paymentRoutes(server: FastifyInstance, deps: { payments: PaymentService }) {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { payments } = deps;
  const base = '/api/v1/tenants/:tenantSlug/conversations/:conversationId/payments';

  app.post(
    base,
    {
      config: { auth: { tenant: ['create', 'Payment'] } },
      schema: {
        tags: ['payments'],
        params: ConvParams,
        body: NewPaymentBody,
        response: { 201: CreatedSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await payments.create(tctx(req), req.params.conversationId, req.body)),
  );

  app.get(
    base,
    {
      config: { auth: { tenant: ['read', 'Payment'] } },
      schema: {
        tags: ['payments'],
        params: ConvParams,
        response: { 200: Type.Object({ payments: Type.Array(PaymentSchema) }), ...errorResponses },
      },
    },
    async (req) => ({
      payments: await payments.list(tctx(req), req.params.conversationId),
    }),
  );

  app.get(
    `${base}/:paymentId`,
    {
      config: { auth: { tenant: ['read', 'Payment'] } },
      schema: {
        tags: ['payments'],
        params: PaymentParams,
        response: { 200: PaymentSchema, ...errorResponses },
      },
    },
    async (req) => {
      const p = req.params;
      return payments.get(tctx(req), p.conversationId, p.paymentId);
    },
  );

  app.post(
    `${base}/:paymentId/cancel`,
    {
      config: { auth: { tenant: ['update', 'Payment'] } },
      schema: {
        tags: ['payments'],
        params: PaymentParams,
        response: { 200: PaymentSchema, ...errorResponses },
      },
    },
    async (req) => {
      const p = req.params;
      return payments.cancel(tctx(req), p.conversationId, p.paymentId);
    },
  );

  // ---- telephony integration ----------------------------------------------------------------

  app.get(
    '/api/v1/tenants/:tenantSlug/calls/:callId/capture',
    {
      config: { auth: telephony },
      schema: {
        tags: ['payments'],
        params: CallParams,
        response: {
          200: Type.Object({
            callId: Type.String(),
            recordingPaused: Type.Boolean(),
            payment: Type.Union([
              Type.Object({
                id: Type.String(),
                method: Type.String(),
                amount: Type.String(),
                status: Type.String(),
              }),
              Type.Null(),
            ]),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => payments.callCaptureState(tctx(req), req.params.callId),
  );

  app.post(
    '/api/v1/tenants/:tenantSlug/calls/:callId/payments/:paymentId/dtmf',
    {
      config: { auth: telephony, rateLimit: { max: 30, timeWindow: '1 minute' } },
      schema: {
        tags: ['payments'],
        params: CallPaymentParams,
        body: DtmfBody,
        response: {
          200: Type.Object({
            status: Type.String(),
            problem: Type.Union([Type.String(), Type.Null()]),
            card: Type.Union([Type.Object({ brand: Type.String(), last4: Type.String() }), Type.Null()]),
            declineCode: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const p = req.params;
      const b = req.body;
      const r = await payments.payByDtmf(tctx(req), p.callId, p.paymentId, {
        number: b.cardNumber,
        expiry: b.expiry,
        cvc: b.cvc,
      });
      // A keying mistake (Luhn, expiry, CVC) leaves the request pending: the IVR asks again.
      if ('problem' in r) return { status: 'pending', problem: r.problem, card: null, declineCode: null };
      return { status: r.outcome, problem: null, card: r.payment.card, declineCode: r.payment.declineCode };
    },
  );

  // ---- hosted payment page (customers; no session) --------------------------------------------

  const page = (reply: FastifyReply, status: number, html: string) =>
    reply.status(status).headers(PAY_PAGE_HEADERS).type('text/html; charset=utf-8').send(html);

  app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    // Only this scope accepts form posts (the rest of the API is JSON).
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 4096 },
      (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      },
    );

    scope.get(
      '/pay/assets/:file',
      {
        config: { auth: { public: 'static assets of the hosted payment page' } },
        schema: {
          params: Type.Object(
            { file: Type.Union([Type.Literal('pay.js'), Type.Literal('pay.css'), Type.Literal('icon.svg')]) },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const file = req.params.file;
        const assets: Record<typeof file, [string, string]> = {
          'pay.js': ['application/javascript; charset=utf-8', PAY_JS],
          'pay.css': ['text/css; charset=utf-8', PAY_CSS],
          'icon.svg': ['image/svg+xml', PAY_ICON],
        };
        const [type, body] = assets[file];
        return reply
          .headers({ 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' })
          .type(type)
          .send(body);
      },
    );

    scope.get(
      '/pay/:tenantSlug/:token',
      {
        config: {
          auth: { public: 'hosted payment page (single-use link token)' },
          rateLimit: { max: 60, timeWindow: '1 minute' },
        },
        schema: { params: LinkParams },
      },
      async (req, reply) => {
        const { tenantSlug, token } = req.params;
        const s = await payments.linkPage(tenantSlug, token);
        if (s.state === 'open') return page(reply, 200, payForm(s));
        return page(reply, s.state === 'used' ? 410 : 404, payResult({ status: s.state }));
      },
    );

    scope.post(
      '/pay/:tenantSlug/:token',
      {
        config: {
          auth: { public: 'hosted payment page (single-use link token)' },
          rateLimit: { max: 20, timeWindow: '1 minute' },
        },
        schema: {
          params: LinkParams,
          body: Type.Object(CardFields, { additionalProperties: false }),
        },
      },
      async (req, reply) => {
        const { tenantSlug, token } = req.params;
        const b = req.body;
        const before = await payments.linkPage(tenantSlug, token);
        if (before.state !== 'open')
          return page(reply, before.state === 'used' ? 410 : 404, payResult({ status: before.state }));
        let r: Awaited<ReturnType<PaymentService['payByLink']>>;
        try {
          r = await payments.payByLink(tenantSlug, token, b, {
            ip: req.ctx.ip,
            requestId: req.ctx.requestId,
          });
        } catch (e) {
          if (e instanceof VigilError && e.code === 'not_found')
            return page(reply, 410, payResult({ status: 'used' }));
          throw e;
        }
        if ('problem' in r) return page(reply, 422, payForm({ ...before, problem: r.problem }));
        const p = r.payment;
        if (r.outcome === 'succeeded' && p.card)
          return page(reply, 200, payResult({ status: 'succeeded', ...p.card, amount: before.amount }));
        if (r.outcome === 'declined')
          return page(
            reply,
            402,
            payResult({ status: 'declined', declineCode: p.declineCode ?? 'card_declined' }),
          );
        return page(reply, 502, payResult({ status: 'failed' }));
      },
    );
  });
}
