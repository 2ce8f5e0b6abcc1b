// E-mail HTML: sanitized to basic formatting (no scripts, styles, frames, event handlers,
// javascript: URLs, remote images), and a plain-text view of it for the PII scan. Links are not
// clickable: agents see the link text and, beside it, where it really points (a phishing mail's
// "https://bank.example" that leads elsewhere shows both); nothing is ever fetched.
import sanitizeHtml from 'sanitize-html';
import { escapeHtml } from '../../platform/html.ts';

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'b',
    'i',
    'u',
    'strong',
    'em',
    's',
    'sub',
    'sup',
    'small',
    'span',
    'div',
    'hr',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'ul',
    'ol',
    'li',
    'blockquote',
    'pre',
    'code',
    'table',
    'thead',
    'tbody',
    'tfoot',
    'tr',
    'td',
    'th',
    'vigil-link',
    'img',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  // Images only from the message itself (cid:); remote images are tracking beacons, data: none.
  allowedSchemesByTag: { img: ['cid'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (_tag, attribs) => {
      const href = (attribs.href ?? '').trim();
      const shown: Record<string, string> = /^(https?:\/\/|mailto:)/i.test(href)
        ? { 'data-target': href }
        : {};
      return { tagName: 'vigil-link', attribs: shown };
    },
  },
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};
OPTIONS.allowedAttributes = { ...(OPTIONS.allowedAttributes as object), 'vigil-link': ['data-target'] };

/** `<vigil-link data-target=T>text</vigil-link>` → `<span class="link">text</span> <span class="link-target">[T]</span>`. */
function showLinkTargets(html: string): string {
  const targets: string[] = [];
  return html.replace(/<vigil-link(?: data-target="([^"]*)")?>|<\/vigil-link>/g, (m, target?: string) => {
    if (m.startsWith('</')) {
      const t = targets.pop();
      return t ? `</span> <span class="link-target">[${t}]</span>` : '</span>';
    }
    targets.push(target ?? '');
    return '<span class="link">';
  });
}

export const MAX_HTML = 200_000;

export function sanitizeEmailHtml(html: string): string {
  return showLinkTargets(sanitizeHtml(html.slice(0, 2 * MAX_HTML), OPTIONS)).slice(0, MAX_HTML);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };

/** The text content of (sanitized) HTML, for scanning. */
export function htmlToText(html: string): string {
  const text = sanitizeHtml(html.replace(/<(br|\/p|\/div|\/li|\/tr|\/h[1-6])\b[^>]*>/gi, '\n$&'), {
    allowedTags: [],
    allowedAttributes: {},
  });
  return text.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_m, e: string) => ENTITIES[e] ?? '');
}

const esc = escapeHtml;

/** HTML rendering of a (redacted) text: paragraphs and line breaks, everything escaped. */
export function htmlFromText(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}
