// The public privacy-request pages of a tenant: /privacy/<slug> (the form) and
// /privacy/<slug>/status (followed with the link whose fragment holds the token), plus their
// static assets. No login, rate-limited; an unknown or inactive tenant answers 404.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import type { TenantRef } from '../platform/context.ts';
import { escapeHtml } from '../platform/html.ts';
import { LOCALES, type Locale, pickLocale } from './dsar-mail.ts';
import { formPage, PAGE_HEADERS, statusPage } from './page.ts';
import { PAGE_CSS, PAGE_ICON, PAGE_JS } from './page-assets.ts';

const Params = Type.Object(
  { tenantSlug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }) },
  { additionalProperties: false },
);
const Query = Type.Object(
  { lang: Type.Optional(Type.Union(LOCALES.map((l) => Type.Literal(l)))) },
  { additionalProperties: false },
);
const Asset = Type.Object(
  { file: Type.Union([Type.Literal('privacy.js'), Type.Literal('privacy.css'), Type.Literal('icon.svg')]) },
  { additionalProperties: false },
);
const ASSETS: Record<Type.Static<typeof Asset>['file'], [string, string]> = {
  'privacy.js': ['application/javascript; charset=utf-8', PAGE_JS],
  'privacy.css': ['text/css; charset=utf-8', PAGE_CSS],
  'icon.svg': ['image/svg+xml', PAGE_ICON],
};
const why = 'public privacy-request pages of a tenant (no login)';
const tags = ['privacy-intake'];

export function pageRoutes(
  http: FastifyInstance,
  deps: {
    tenantBySlug(slug: string): Promise<(TenantRef & { status: string }) | undefined>;
    mailboxOf(slug: string): string;
    smsAvailable: boolean;
    perMinute: number;
  },
): void {
  const app = http.withTypeProvider<TypeBoxTypeProvider>();
  const limit = { max: Math.max(deps.perMinute, 30), timeWindow: '1 minute' };
  const page = (reply: FastifyReply, status: number, html: string) =>
    reply.code(status).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(html);
  const notFoundPage = (reply: FastifyReply, locale: Locale) =>
    page(
      reply,
      404,
      `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>404</title></head><body><main><h1>404</h1><p>${escapeHtml('Not found')}</p></main></body></html>`,
    );

  app.get(
    '/privacy/assets/:file',
    {
      config: { auth: { public: 'static assets of the public privacy-request pages' } },
      schema: { tags, params: Asset },
    },
    async (req, reply) => {
      const [type, body] = ASSETS[req.params.file];
      return reply
        .headers({ 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' })
        .type(type)
        .send(body);
    },
  );
  const render = {
    '': (locale: Locale, t: TenantRef) =>
      formPage({
        locale,
        slug: t.slug,
        tenant: t.name,
        mailbox: deps.mailboxOf(t.slug),
        smsAvailable: deps.smsAvailable,
      }),
    '/status': (locale: Locale, t: TenantRef) => statusPage({ locale, slug: t.slug, tenant: t.name }),
  };
  for (const [suffix, html] of Object.entries(render))
    app.get(
      `/privacy/:tenantSlug${suffix}`,
      {
        config: { auth: { public: why }, rateLimit: limit },
        schema: { tags, params: Params, querystring: Query },
      },
      async (req, reply) => {
        const locale = pickLocale(req.headers['accept-language'], req.query.lang);
        const t = await deps.tenantBySlug(req.params.tenantSlug);
        if (t?.status !== 'active') return notFoundPage(reply, locale);
        return page(reply, 200, html(locale, t));
      },
    );
}
