// HTML text escaping for every server-rendered page and document (one escaper, so a fix to it
// reaches the payment page, e-mail rendering, compliance documents and subject exports alike).
export function escapeHtml(v: unknown): string {
  return String(v ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * The headers of a public, server-rendered page (payment, privacy request, survey, phishing
 * landing): its own CSP, never cached, no referrer, not framable, no sniffing, no powerful
 * features. One set, so a hardening reaches every public page at once.
 */
export function publicPageHeaders(csp: string): Record<string, string> {
  return {
    'content-security-policy': csp,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}
