// The public side of a simulation: the tracking pixel, the landing page behind the link, and the
// form post. The form's content is never parsed, stored or logged: the body is drained unread and
// only the fact of a submit is recorded. The page after the submit teaches what gave the mail away.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import { publicPageHeaders } from '../platform/html.ts';
import { typedRoutes } from '../platform/http-schemas.ts';
import type { CampaignService } from './campaigns.ts';
import { escapeHtml, type Language, type PhishTemplate } from './templates.ts';

const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}' +
  'input{display:block;width:100%;margin:.4rem 0 1rem;padding:.5rem}button{padding:.5rem 1rem}' +
  '.lesson{border-left:4px solid #c0392b;padding-left:1rem}';
const styleHash = createHash('sha256').update(STYLE).digest('base64');
const HEADERS = publicPageHeaders(
  `default-src 'none'; style-src 'sha256-${styleHash}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
);

const COPY: Record<
  Language,
  {
    signIn: string;
    user: string;
    secret: string;
    go: string;
    caught: string;
    intro: string;
    signs: string;
    next: string;
  }
> = {
  en: {
    signIn: 'Sign in to continue',
    user: 'User name',
    secret: 'Password',
    go: 'Continue',
    caught: 'This was a phishing simulation by your security team',
    intro:
      'Nothing you typed was stored or sent anywhere; only that the form was submitted is recorded. These signs gave the mail away:',
    signs: 'What gave it away',
    next: 'Next time: do not click, use "Report phishing" in the Vigil console or forward the mail to the phish-report address.',
  },
  de: {
    signIn: 'Zum Fortfahren anmelden',
    user: 'Benutzername',
    secret: 'Passwort',
    go: 'Weiter',
    caught: 'Dies war eine Phishing-Simulation Ihres Sicherheitsteams',
    intro:
      'Nichts von dem, was Sie eingegeben haben, wurde gespeichert oder übertragen; erfasst wird nur, dass das Formular abgeschickt wurde. Daran war die Mail zu erkennen:',
    signs: 'Woran man es erkennt',
    next: 'Beim nächsten Mal: nicht klicken, sondern „Phishing melden“ in der Vigil-Konsole nutzen oder die Mail an die Phish-Report-Adresse weiterleiten.',
  },
  fr: {
    signIn: 'Connectez-vous pour continuer',
    user: "Nom d'utilisateur",
    secret: 'Mot de passe',
    go: 'Continuer',
    caught: "C'était une simulation d'hameçonnage de votre équipe sécurité",
    intro:
      "Rien de ce que vous avez saisi n'a été enregistré ni transmis ; seul l'envoi du formulaire est noté. Ces signes trahissaient le message :",
    signs: 'Les signes',
    next: "La prochaine fois : ne cliquez pas, utilisez « Signaler l'hameçonnage » dans la console Vigil ou transférez le message à l'adresse phish-report.",
  },
};

const shell = (lang: Language, title: string, body: string) =>
  `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;

export function formPage(t: PhishTemplate, lang: Language, token: string): string {
  const c = COPY[lang];
  return shell(
    lang,
    t.cta,
    `<h1>${escapeHtml(t.cta)}</h1><p>${escapeHtml(c.signIn)}</p>
<form method="post" action="/phish/s/${token}" autocomplete="off">
<label>${escapeHtml(c.user)}<input name="user" autocomplete="off"></label>
<label>${escapeHtml(c.secret)}<input name="secret" type="password" autocomplete="off"></label>
<button type="submit">${escapeHtml(c.go)}</button></form>`,
  );
}

export function lessonPage(t: PhishTemplate, lang: Language): string {
  const c = COPY[lang];
  const flags = t.redFlags.map((f) => `<li>${escapeHtml(f)}</li>`).join('');
  return shell(
    lang,
    c.caught,
    `<div class="lesson"><h1>${escapeHtml(c.caught)}</h1><p>${escapeHtml(c.intro)}</p><h2>${escapeHtml(c.signs)}</h2><ul>${flags}</ul><p>${escapeHtml(c.next)}</p></div>`,
  );
}

const TokenParams = Type.Object(
  { token: Type.String({ pattern: '^[A-Za-z0-9_-]{64}$' }) },
  { additionalProperties: false },
);
const gone = (reply: FastifyReply) =>
  reply
    .status(404)
    .headers(HEADERS)
    .type('text/html; charset=utf-8')
    .send(shell('en', 'Not found', '<p>Not found.</p>'));

export function landingRoutes(
  server: FastifyInstance,
  deps: { campaigns: Pick<CampaignService, 'track'> },
): void {
  const app = typedRoutes(server);
  app.register(async (plain) => {
    const scope = typedRoutes(plain);
    // Whatever a recipient typed is drained unread: never parsed, never kept, never logged.
    const drain = (
      _req: unknown,
      payload: NodeJS.ReadableStream,
      done: (e: Error | null, body?: unknown) => void,
    ) => {
      payload.on('error', (e) => done(e as Error));
      payload.on('end', () => done(null, {}));
      payload.resume();
    };
    scope.addContentTypeParser('application/x-www-form-urlencoded', drain);
    scope.addContentTypeParser('multipart/form-data', drain);
    const rule = (why: string) => ({
      auth: { public: why },
      rateLimit: { max: 120, timeWindow: '1 minute' },
    });

    scope.get(
      '/phish/o/:token',
      { config: rule('tracking pixel of a simulated phishing mail'), schema: { params: TokenParams } },
      async (req, reply) => {
        await deps.campaigns.track(req.params.token, 'opened');
        return reply.headers({ 'cache-control': 'no-store' }).type('image/gif').send(PIXEL);
      },
    );

    scope.get(
      '/phish/c/:token',
      { config: rule('landing page of a simulated phishing mail'), schema: { params: TokenParams } },
      async (req, reply) => {
        const { token } = req.params;
        const r = await deps.campaigns.track(token, 'clicked');
        if (!r) return gone(reply);
        return reply
          .headers(HEADERS)
          .type('text/html; charset=utf-8')
          .send(formPage(r.template, r.language, token));
      },
    );

    scope.post(
      '/phish/s/:token',
      {
        config: rule('form post of a simulated phishing page (content discarded)'),
        schema: { params: TokenParams },
      },
      async (req, reply) => {
        const r = await deps.campaigns.track(req.params.token, 'submitted');
        if (!r) return gone(reply);
        return reply
          .headers(HEADERS)
          .type('text/html; charset=utf-8')
          .send(lessonPage(r.template, r.language));
      },
    );
  });
}
