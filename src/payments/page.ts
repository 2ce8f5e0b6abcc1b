// The hosted payment page: plain server-rendered HTML, one same-origin stylesheet and script, no
// inline code, no third-party anything, under its own CSP (stricter than the consoles': nothing
// may load that the page does not need, it may not be framed, forms post only to Vigil).
import { escapeHtml, publicPageHeaders } from '../platform/html.ts';

export const PAY_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
  "require-trusted-types-for 'script'",
].join('; ');

export const PAY_PAGE_HEADERS = publicPageHeaders(PAY_PAGE_CSP);

const esc = escapeHtml;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(title)}</title>
<link rel="icon" href="/pay/assets/icon.svg">
<link rel="stylesheet" href="/pay/assets/pay.css">
<script src="/pay/assets/pay.js" defer></script>
</head>
<body>
<main class="card">
${body}
<p class="note">Secured by Vigil. Your card details go directly to the payment provider; the agent never sees them.</p>
</main>
</body>
</html>`;
}

const PROBLEMS: Record<string, string> = {
  invalid_number: 'The card number is not valid. Please check it.',
  invalid_expiry: 'The expiry date is not valid (MM/YY).',
  expired_card: 'The card has expired.',
  invalid_cvc: 'The security code is not valid.',
};

export function payForm(p: { tenant: string; amount: string; reference: string; problem?: string }): string {
  const problem = p.problem
    ? `<p class="error" role="alert" id="problem">${esc(PROBLEMS[p.problem] ?? 'Please check your card details.')}</p>`
    : '';
  return layout(
    `Pay ${p.tenant}`,
    `<h1>Pay ${esc(p.tenant)}</h1>
<dl class="summary"><dt>Amount</dt><dd id="amount">${esc(p.amount)}</dd><dt>Reference</dt><dd id="reference">${esc(p.reference)}</dd></dl>
${problem}
<form method="post" id="pay-form" autocomplete="on" novalidate>
<label for="number">Card number</label>
<input id="number" name="number" inputmode="numeric" autocomplete="cc-number" maxlength="23" required>
<div class="row">
<div><label for="expiry">Expiry (MM/YY)</label>
<input id="expiry" name="expiry" inputmode="numeric" autocomplete="cc-exp" maxlength="7" placeholder="MM/YY" required></div>
<div><label for="cvc">Security code</label>
<input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" maxlength="4" required></div>
</div>
<button type="submit" id="pay">Pay ${esc(p.amount)}</button>
</form>`,
  );
}

const BRAND_NAMES: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  amex: 'American Express',
  discover: 'Discover',
};

const DECLINES: Record<string, string> = {
  insufficient_funds: 'The card was declined: insufficient funds.',
  expired_card: 'The card was declined: it has expired.',
  incorrect_cvc: 'The card was declined: the security code is incorrect.',
};

export function payResult(
  r:
    | { status: 'succeeded'; brand: string; last4: string; amount: string }
    | { status: 'declined'; declineCode: string }
    | { status: 'failed' | 'used' | 'invalid' },
): string {
  switch (r.status) {
    case 'succeeded':
      return layout(
        'Payment received',
        `<h1 id="result" data-status="succeeded">Payment received</h1>
<p>Thank you. ${esc(r.amount)} was charged to your ${esc(BRAND_NAMES[r.brand] ?? 'payment')} card ending in ${esc(r.last4)}.</p>`,
      );
    case 'declined':
      return layout(
        'Payment declined',
        `<h1 id="result" data-status="declined">Payment declined</h1>
<p>${esc(DECLINES[r.declineCode] ?? 'The card was declined.')} Nothing was charged. Please ask us for a new payment link.</p>`,
      );
    case 'failed':
      return layout(
        'Payment failed',
        `<h1 id="result" data-status="failed">Payment failed</h1><p>The payment could not be processed. Nothing was charged.</p>`,
      );
    case 'used':
      return layout(
        'Link no longer valid',
        `<h1 id="result" data-status="used">This payment link is no longer valid</h1><p>It was already used, cancelled or has expired. Please ask us for a new one.</p>`,
      );
    default:
      return layout(
        'Link not valid',
        `<h1 id="result" data-status="invalid">This payment link is not valid</h1>`,
      );
  }
}

export const PAY_CSS = `*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f3f4f6;color:#111827}
.card{max-width:28rem;margin:2rem auto;background:#fff;border-radius:.75rem;padding:1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.35rem;margin:0 0 1rem}.summary{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:0 0 1rem}
.summary dt{color:#4b5563}.summary dd{margin:0;font-weight:600}label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input{width:100%;padding:.6rem;border:1px solid #6b7280;border-radius:.375rem;font-size:1rem}
input:focus{outline:3px solid #2563eb;outline-offset:1px}.row{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
button{margin-top:1.25rem;width:100%;padding:.75rem;border:0;border-radius:.375rem;background:#1d4ed8;color:#fff;font-size:1rem;font-weight:600;cursor:pointer}
button:disabled{background:#6b7280}.error{color:#b91c1c;font-weight:600}.note{margin-top:1.5rem;color:#4b5563;font-size:.85rem}
`;

// Formats the card number while typing and prevents a double submit. No network access, no DOM
// HTML injection (the CSP requires Trusted Types for script sinks).
export const PAY_JS = `'use strict';
document.addEventListener('DOMContentLoaded', function () {
  var form = document.getElementById('pay-form');
  if (!form) return;
  var number = document.getElementById('number');
  number.addEventListener('input', function () {
    var d = number.value.replace(/\\D/g, '').slice(0, 19);
    number.value = d.replace(/(.{4})/g, '$1 ').trim();
  });
  var expiry = document.getElementById('expiry');
  expiry.addEventListener('input', function () {
    var d = expiry.value.replace(/\\D/g, '').slice(0, 4);
    expiry.value = d.length > 2 ? d.slice(0, 2) + '/' + d.slice(2) : d;
  });
  form.addEventListener('submit', function () {
    var b = document.getElementById('pay');
    b.disabled = true;
    b.textContent = 'Processing…';
  });
});
`;

/** A padlock, so browsers do not ask for /favicon.ico (which is not this page's). */
export const PAY_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect x="3" y="7" width="10" height="8" rx="1" fill="#1d4ed8"/><path d="M5 7V5a3 3 0 0 1 6 0v2" fill="none" stroke="#1d4ed8" stroke-width="1.5"/></svg>`;
