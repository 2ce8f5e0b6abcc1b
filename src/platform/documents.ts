// One document model for every compliance report (Art. 30 record, breach notification draft,
// client security report) and its two renderings: HTML (escaped, no scripts or inline styles, so
// the strict CSP holds) and PDF (pdf-lib, standard Helvetica, text wrapped to A4). Each document
// is written in German, English or French: the renderer owns its labels, this file only the
// language choice and the "Generated" line.
import { PDFDocument, type PDFFont, StandardFonts } from 'pdf-lib';
import Type from 'typebox';
import { escapeHtml } from './html.ts';

export type DocLocale = 'de' | 'en' | 'fr';
const DOC_LOCALES: readonly string[] = ['de', 'en', 'fr'];
const GENERATED: Record<DocLocale, string> = { de: 'Erstellt', en: 'Generated', fr: 'Généré le' };

/** The query of every document route: the format and, optionally, the language. */
export const DocQuery = Type.Object(
  {
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('html'), Type.Literal('pdf')])),
    lang: Type.Optional(Type.Union([Type.Literal('de'), Type.Literal('en'), Type.Literal('fr')])),
  },
  { additionalProperties: false },
);

/**
 * The first of de/en/fr an Accept-Language header names (by quality), else English; an explicit
 * choice (a query, a stored locale) wins when it is one of them. Pages, mails and documents share it.
 */
export function preferredLocale(header: string | string[] | undefined, explicit?: string | null): DocLocale {
  if (explicit && DOC_LOCALES.includes(explicit)) return explicit as DocLocale;
  let best: { lang: DocLocale; q: number } = { lang: 'en', q: 0 };
  for (const part of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const lang = tag.split('-')[0]!;
    const qp = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) || 0 : 1;
    if (DOC_LOCALES.includes(lang) && q > best.q) best = { lang: lang as DocLocale, q };
  }
  return best.lang;
}

/** `?lang=` first, then the best of de/en/fr in Accept-Language (by quality), else English. */
export const docLocale = (req: {
  query: { lang?: DocLocale | undefined };
  headers: Record<string, string | string[] | undefined>;
}): DocLocale => preferredLocale(req.headers['accept-language'], req.query.lang);

export interface DocSection {
  heading: string;
  /** Label / value pairs. */
  fields?: Array<[string, string]>;
  paragraphs?: string[];
  table?: { head: string[]; rows: string[][] };
}

export interface Doc {
  title: string;
  subtitle?: string;
  generatedAt: string;
  sections: DocSection[];
  /** The language the labels are in (English when absent). */
  lang?: DocLocale;
}

export function renderDocHtml(doc: Doc): string {
  const e = escapeHtml;
  const parts = [`<h1>${e(doc.title)}</h1>`];
  if (doc.subtitle) parts.push(`<p>${e(doc.subtitle)}</p>`);
  parts.push(`<p>${GENERATED[doc.lang ?? 'en']} ${e(doc.generatedAt)}</p>`);
  for (const s of doc.sections) {
    parts.push(`<section><h2>${e(s.heading)}</h2>`);
    if (s.fields?.length)
      parts.push(
        `<table>${s.fields.map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td>${e(v)}</td></tr>`).join('')}</table>`,
      );
    for (const p of s.paragraphs ?? []) parts.push(`<p>${e(p)}</p>`);
    if (s.table) {
      const head = s.table.head.map((h) => `<th scope="col">${e(h)}</th>`).join('');
      const body = s.table.rows.map((r) => `<tr>${r.map((c) => `<td>${e(c)}</td>`).join('')}</tr>`).join('');
      parts.push(`<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`);
    }
    parts.push('</section>');
  }
  return `<!doctype html><html lang="${doc.lang ?? 'en'}"><head><meta charset="utf-8"><title>${e(doc.title)}</title></head><body>${parts.join('\n')}</body></html>`;
}

/** The standard fonts encode WinAnsi only (Latin-1 plus a few, so German and French letters
 * including œ, Œ and € stay): anything else becomes a close ASCII form or '?'. */
export function toWinAnsi(s: string): string {
  return s
    .replace(/[\u202F\u2009]/g, ' ')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\u2192/g, '->')
    .replace(/\u2026/g, '...')
    .replace(/[\t\r\n]+/g, ' ')
    .replace(/[^\x20-\x7E\xA0-\xFF\u0152\u0153\u20AC\u2022\u201E]/g, '?');
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of toWinAnsi(text).split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(next, size) <= width) line = next;
    else {
      if (line) lines.push(line);
      // A single word longer than the line is cut.
      let w = word;
      while (font.widthOfTextAtSize(w, size) > width) {
        let n = w.length - 1;
        while (n > 1 && font.widthOfTextAtSize(w.slice(0, n), size) > width) n--;
        lines.push(w.slice(0, n));
        w = w.slice(n);
      }
      line = w;
    }
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

export async function renderDocPdf(doc: Doc): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(toWinAnsi(doc.title));
  pdf.setProducer('Vigil');
  pdf.setCreationDate(new Date(doc.generatedAt));
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const [W, H, M] = [595.28, 841.89, 50];
  let page = pdf.addPage([W, H]);
  let y = H - M;
  const line = (text: string, f = font, size = 10, indent = 0) => {
    for (const l of wrap(text, f, size, W - 2 * M - indent)) {
      if (y < M + size) {
        page = pdf.addPage([W, H]);
        y = H - M;
      }
      page.drawText(l, { x: M + indent, y: y - size, size, font: f });
      y -= size * 1.4;
    }
  };
  line(doc.title, bold, 16);
  if (doc.subtitle) line(doc.subtitle, font, 11);
  line(`${GENERATED[doc.lang ?? 'en']} ${doc.generatedAt}`, font, 9);
  for (const s of doc.sections) {
    y -= 8;
    line(s.heading, bold, 12);
    for (const [k, v] of s.fields ?? []) line(`${k}: ${v}`, font, 10, 8);
    for (const p of s.paragraphs ?? []) line(p, font, 10, 8);
    if (s.table) {
      line(s.table.head.join(' | '), bold, 9, 8);
      for (const r of s.table.rows) line(r.join(' | '), font, 9, 8);
    }
  }
  return pdf.save();
}

/** Sends a document in the format asked for (JSON is the caller's own data object). */
export async function sendDoc(
  reply: {
    type(t: string): unknown;
    header(k: string, v: string): unknown;
    send(b: unknown): unknown;
  },
  format: 'json' | 'html' | 'pdf' | undefined,
  doc: Doc,
  json: unknown,
  filename: string,
) {
  reply.header('cache-control', 'no-store');
  if (format === 'html') {
    reply.type('text/html; charset=utf-8');
    return reply.send(renderDocHtml(doc));
  }
  if (format === 'pdf') {
    reply.type('application/pdf');
    reply.header('content-disposition', `attachment; filename="${filename}.pdf"`);
    return reply.send(Buffer.from(await renderDocPdf(doc)));
  }
  return reply.send(json);
}
