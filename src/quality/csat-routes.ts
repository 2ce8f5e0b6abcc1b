// The customer's side of satisfaction surveys, without a login: a plain rating page reached from
// the e-mail link (five buttons in a form, no script), its form post, and a JSON API for the
// widget and integrations. The signed single-use token is the only credential.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import { VigilError } from '../platform/errors.ts';
import { escapeHtml as esc, publicPageHeaders } from '../platform/html.ts';
import { errorResponses } from '../platform/http-schemas.ts';
import type { Csat } from './csat.ts';
import { csatLocale, csatTexts } from './csat-texts.ts';

const Token = Type.String({ pattern: '^[A-Za-z0-9_-]{48}\\.[A-Za-z0-9_-]{24}$' });
const TokenParams = Type.Object({ token: Token }, { additionalProperties: false });
const Score = Type.Integer({ minimum: 1, maximum: 5 });
const PAGE_HEADERS = publicPageHeaders(
  "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
);
// Public and token-guarded; the per-address limit keeps token guessing and page floods bounded.
const rule = {
  auth: { public: 'customer satisfaction survey (signed single-use token, no login)' },
  rateLimit: { max: 30, timeWindow: '1 minute' },
};

function page(language: string | null, title: string, body: string): string {
  return `<!doctype html>
<html lang="${csatLocale(language)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${esc(title)}</title></head>
<body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

function ratingForm(token: string, language: string | null): string {
  const t = csatTexts(language);
  const buttons = [1, 2, 3, 4, 5]
    .map((n) => `<button type="submit" name="score" value="${n}">${n}</button>`)
    .join(' ');
  return page(
    language,
    t.question,
    `<form method="post" action="/csat/${esc(token)}"><p>${esc(t.scale)}</p><p>${buttons}</p></form>`,
  );
}

/** The state page for a refused token or a recorded answer (status code carries the state). */
function statePage(reply: FastifyReply, e: unknown, language: string | null = null) {
  if (!(e instanceof VigilError) || !e.code.startsWith('csat_')) throw e;
  const t = csatTexts(language);
  const [status, text] =
    e.code === 'csat_answered'
      ? [409, t.answered]
      : e.code === 'csat_expired'
        ? [410, t.expired]
        : [400, t.invalid];
  return reply
    .status(status)
    .headers(PAGE_HEADERS)
    .type('text/html; charset=utf-8')
    .send(page(language, text, ''));
}

export function csatRoutes(http: FastifyInstance, deps: { csat: Csat }): void {
  const { csat } = deps;
  http.register(async (scope) => {
    // Only this scope accepts form posts (the rest of the API is JSON).
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 1024 },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    const app = scope.withTypeProvider<TypeBoxTypeProvider>();
    app.get('/csat/:token', { config: rule, schema: { params: TokenParams } }, async (req, reply) => {
      try {
        const s = await csat.lookup(req.params.token);
        return reply
          .headers(PAGE_HEADERS)
          .type('text/html; charset=utf-8')
          .send(ratingForm(req.params.token, s.language));
      } catch (e) {
        return statePage(reply, e);
      }
    });
    app.post(
      '/csat/:token',
      {
        config: rule,
        schema: {
          params: TokenParams,
          body: Type.Object({ score: Type.String({ pattern: '^[1-5]$' }) }, { additionalProperties: false }),
        },
      },
      async (req, reply) => {
        // The widget posts from the tenant's site (no-cors): the answer must not be blocked by CORP.
        reply.header('cross-origin-resource-policy', 'cross-origin');
        try {
          const r = await csat.answer(req.params.token, Number(req.body.score));
          return reply
            .headers(PAGE_HEADERS)
            .type('text/html; charset=utf-8')
            .send(page(r.language, csatTexts(r.language).thanks, ''));
        } catch (e) {
          return statePage(reply, e);
        }
      },
    );
    app.post(
      '/api/v1/csat',
      {
        config: rule,
        schema: {
          tags: ['csat'],
          body: Type.Object({ token: Token, score: Score }, { additionalProperties: false }),
          response: { 200: Type.Object({ ok: Type.Boolean(), score: Score }), ...errorResponses },
        },
      },
      async (req, reply) => {
        // Token-authenticated, no cookies: any origin (the widget runs on the tenant's site) may post.
        reply
          .header('access-control-allow-origin', '*')
          .header('cross-origin-resource-policy', 'cross-origin');
        const r = await csat.answer(req.body.token, req.body.score);
        return { ok: true, score: r.score };
      },
    );
  });
}
