// A demo visitor page (issue 25), served only in demo mode (`npm start`): a small German shop of
// the demo tenant with the chat widget embedded exactly as a client company would embed it. Its
// stylesheet is a separate file, so the page keeps the console's strict CSP (no inline styles).
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';

const rule = { auth: { public: 'demo shop page for trying the chat widget (demo mode only)' } };

type Lang = 'de' | 'en' | 'fr';
const TEXT: Record<Lang, { nav: string; h1: string; lead: string }> = {
  de: {
    nav: 'Sprache',
    h1: 'Frühjahrsangebote',
    lead: 'Dies ist eine Demo-Seite. Unten auf der Seite öffnet sich der Vigil-Chat; Ihre Nachricht erscheint im Posteingang der Demo-Agenten.',
  },
  en: {
    nav: 'Language',
    h1: 'Spring offers',
    lead: "This is a demo page. The Vigil chat opens at the bottom of the page; your message appears in the demo agents' inbox.",
  },
  fr: {
    nav: 'Langue',
    h1: 'Offres de printemps',
    lead: 'Ceci est une page de démonstration. Le chat Vigil s’ouvre en bas de la page ; votre message apparaît dans la boîte de réception des agents de démonstration.',
  },
};

const page = (slug: string, lang: Lang) => `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Shop – Demo</title>
<link rel="stylesheet" href="/demo/shop.css">
</head>
<body>
<header class="top"><a class="brand" href="/demo/shop">Acme Shop</a>
<nav aria-label="${TEXT[lang].nav}"><a href="/demo/shop?lang=de" lang="de">Deutsch</a> · <a href="/demo/shop?lang=en" lang="en">English</a> · <a href="/demo/shop?lang=fr" lang="fr">Français</a></nav></header>
<main id="main">
<h1>${TEXT[lang].h1}</h1>
<p class="lead">${TEXT[lang].lead}</p>
<ul class="products">
<li><h2>Wanderschuh Alpin</h2><p>129,00 €</p></li>
<li><h2>Regenjacke Nordwind</h2><p>89,00 €</p></li>
<li><h2>Rucksack 30 l</h2><p>59,00 €</p></li>
</ul>
</main>
<script src="/widget/${slug}.js" async></script>
</body>
</html>
`;

const CSS = `body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1d2733;background:#fafbfc}
.top{display:flex;justify-content:space-between;align-items:center;padding:12px 24px;background:#ffffff;border-bottom:1px solid #d9dee5}
.brand{font-weight:700;color:#0b3d91;text-decoration:none;font-size:20px}
nav a{color:#0b3d91}
main{max-width:900px;margin:0 auto;padding:24px}
.lead{color:#394656}
.products{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:16px}
.products li{background:#fff;border:1px solid #d9dee5;border-radius:10px;padding:16px}
.products h2{font-size:18px;margin:0 0 8px}
`;

export function demoShopRoutes(app: FastifyInstance, opts: { tenantSlug: string }) {
  app.get(
    '/demo/shop',
    {
      config: rule,
      schema: {
        hide: true,
        querystring: Type.Object(
          { lang: Type.Optional(Type.Union([Type.Literal('de'), Type.Literal('en'), Type.Literal('fr')])) },
          { additionalProperties: false },
        ),
      },
    },
    (req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(page(opts.tenantSlug, (req.query as { lang?: Lang }).lang ?? 'de')),
  );
  app.get('/demo/shop.css', { config: rule, schema: { hide: true } }, (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(CSS),
  );
}
