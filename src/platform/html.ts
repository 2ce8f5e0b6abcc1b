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
