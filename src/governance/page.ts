// The public privacy-request pages of a tenant (no login): the form and the status page the
// requester follows. Server-rendered HTML in de/en/fr, one same-origin script and stylesheet, no
// inline code, under their own CSP (scripts, styles and fetches from Vigil only; not framable).
// The script talks to the public intake API; the status token lives only in the link's fragment
// (never sent to a server, never logged) and in the bodies of POSTs.
import { escapeHtml as esc, publicPageHeaders } from '../platform/html.ts';
import type { Locale } from './dsar-mail.ts';
import { PAGE_TEXT, type PageText } from './page-text.ts';
import { INTAKE_TYPES } from './store-dsar.ts';

export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
  "require-trusted-types-for 'script'",
].join('; ');

export const PAGE_HEADERS = publicPageHeaders(PAGE_CSP);

const fill = (s: string, v: Record<string, string>) => s.replace(/\{(\w+)\}/g, (_, k: string) => v[k] ?? '');

/** The words the script shows, as data attributes (no inline script, no JSON to evaluate). */
const SCRIPT_KEYS = [
  'working',
  'codeSent',
  'codeWrong',
  'confirmed',
  'downloaded',
  'failed',
  'unknown',
  'yes',
  'no',
  's_unverified',
  's_verified',
  's_in_effect',
  's_fulfilled',
  's_completed',
  's_rejected',
  ...INTAKE_TYPES.map((t) => `type_${t}` as const),
] as const;

function layout(p: {
  locale: Locale;
  title: string;
  slug: string;
  page: 'form' | 'status';
  body: string;
}): string {
  const t = PAGE_TEXT[p.locale];
  const data = SCRIPT_KEYS.map((k) => `data-${k.toLowerCase()}="${esc(t[k])}"`).join(' ');
  const path = `/privacy/${p.slug}${p.page === 'status' ? '/status' : ''}`;
  const langs = (['de', 'en', 'fr'] as const)
    .map(
      (l) =>
        `<a class="lang" href="${esc(path)}?lang=${l}" lang="${l}" hreflang="${l}"${l === p.locale ? ' aria-current="true"' : ''}>${l.toUpperCase()}</a>`,
    )
    .join(' ');
  return `<!doctype html>
<html lang="${p.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(p.title)}</title>
<link rel="icon" href="/privacy/assets/icon.svg">
<link rel="stylesheet" href="/privacy/assets/privacy.css">
<script src="/privacy/assets/privacy.js" defer></script>
</head>
<body>
<nav aria-label="${esc(t.language)}">${langs}</nav>
<main id="dsar" data-page="${p.page}" data-slug="${esc(p.slug)}" data-locale="${p.locale}">
${p.body}
<p id="message" role="status" aria-live="polite"></p>
</main>
<div id="words" hidden ${data}></div>
</body>
</html>`;
}

const radio = (name: string, value: string, label: string, checked: boolean) =>
  `<div class="choice"><input type="radio" id="${name}-${value}" name="${name}" value="${value}"${checked ? ' checked' : ''}><label for="${name}-${value}">${esc(label)}</label></div>`;

export function formPage(p: {
  locale: Locale;
  slug: string;
  tenant: string;
  mailbox: string;
  smsAvailable: boolean;
}): string {
  const t: PageText = PAGE_TEXT[p.locale];
  const types = INTAKE_TYPES.map((ty, i) => radio('type', ty, t[`type_${ty}`], i === 0)).join('\n');
  const verify = p.smsAvailable
    ? `<fieldset><legend>${esc(t.verifyLegend)}</legend>
${radio('verifyBy', 'email', t.verify_email, true)}
${radio('verifyBy', 'sms', t.verify_sms, false)}
</fieldset>
<div id="phone-row" hidden><label for="phone">${esc(t.phone)}</label>
<input id="phone" name="phone" type="tel" autocomplete="tel" maxlength="32"></div>`
    : '';
  const title = fill(t.title, { tenant: p.tenant });
  return layout({
    locale: p.locale,
    title,
    slug: p.slug,
    page: 'form',
    body: `<h1>${esc(title)}</h1>
<p>${esc(fill(t.intro, { tenant: p.tenant }))}</p>
<form id="dsar-form" novalidate>
<fieldset><legend>${esc(t.typeLegend)}</legend>
${types}
</fieldset>
<label for="email">${esc(t.email)}</label>
<input id="email" name="email" type="email" autocomplete="email" maxlength="254" required aria-describedby="email-hint">
<p id="email-hint" class="hint">${esc(t.emailHint)}</p>
${verify}
<label for="details">${esc(t.details)}</label>
<textarea id="details" name="details" maxlength="2000" rows="4"></textarea>
<div class="hp" aria-hidden="true"><label for="website">${esc(t.honeypot)}</label>
<input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
<button type="submit" id="submit">${esc(t.submit)}</button>
</form>
<section id="filed" hidden aria-labelledby="filed-heading">
<h2 id="filed-heading" tabindex="-1">${esc(t.filedHeading)}</h2>
<p>${esc(t.filed)}</p>
<p><a id="status-link" href="/privacy/${esc(p.slug)}/status?lang=${p.locale}">${esc(t.statusLinkText)}</a></p>
</section>
<p class="hint">${esc(fill(t.mailbox, { address: p.mailbox }))}</p>`,
  });
}

export function statusPage(p: { locale: Locale; slug: string; tenant: string }): string {
  const t = PAGE_TEXT[p.locale];
  const field = (id: string, label: string) => `<dt>${esc(label)}</dt><dd id="${id}"></dd>`;
  return layout({
    locale: p.locale,
    title: `${t.statusTitle} (${p.tenant})`,
    slug: p.slug,
    page: 'status',
    body: `<h1>${esc(t.statusTitle)}</h1>
<p>${esc(p.tenant)}</p>
<p id="no-token" hidden>${esc(t.noToken)}</p>
<dl id="status" hidden>
${field('f-type', t.f_type)}
${field('f-state', t.f_state)}
${field('f-received', t.f_received)}
${field('f-due', t.f_due)}
${field('f-extended', t.f_extended)}
</dl>
<form id="verify-form" hidden novalidate>
<label for="code">${esc(t.code)}</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" pattern="[0-9]{6}">
<button type="submit">${esc(t.confirm)}</button>
<button type="button" id="resend" class="secondary">${esc(t.resend)}</button>
</form>
<section id="download" hidden aria-labelledby="download-heading">
<h2 id="download-heading">${esc(t.downloadHeading)}</h2>
<form id="download-form" novalidate>
<label for="download-code">${esc(t.downloadCode)}</label>
<input id="download-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" pattern="[0-9]{6}">
<button type="submit">${esc(t.download)}</button>
<button type="button" id="download-resend" class="secondary">${esc(t.askDownloadCode)}</button>
</form>
</section>`,
  });
}
