// Personal data never reaches a translation engine: every span the PII engine finds, every stored
// token or mask and every masked value is swapped for a numbered placeholder the engine carries
// through, and put back afterwards. A second scan of the outgoing text is the last gate.
import { type Lang, type Span, scanText } from '../pii/index.ts';
import { VigilError } from '../platform/errors.ts';
import type { Language, TranslationProvider } from './provider.ts';

/** Lower than the storage threshold: for an outbound copy, over-withholding is the safe side. */
const WITHHOLD_MIN_SCORE = 0.3;

/** Stored tokens `[EMAIL:tok_…]`, masks `[IBAN]`, pseudonyms `<PERSON_1a2b3c4d>`, masked values `DE** ****`. */
const STORED_FORMS = [
  /\[[A-Z_]+(?::tok_[a-z0-9]{20})?\]/g,
  /<[A-Z_]+_[0-9a-f]{8}>/g,
  /[\p{L}\p{N}]*\*[\p{L}\p{N}*]*(?:[ .\-/][\p{L}\p{N}]*\*[\p{L}\p{N}*]*)*(?:[ .\-/][\p{L}\p{N}]{1,4}\b)?/gu,
];

export interface Withheld {
  /** What the provider may receive. */
  text: string;
  /** Original values by placeholder number (1-based). */
  values: string[];
}

const scanLang = (l: Language): Lang => (l === 'de' || l === 'fr' ? l : 'en');

function withheldRanges(text: string, lang: Language): Array<{ start: number; end: number }> {
  const ranges: Array<{ start: number; end: number }> = scanText(text, {
    lang: scanLang(lang),
    minScore: WITHHOLD_MIN_SCORE,
  }).map((s: Span) => ({ start: s.start, end: s.end }));
  for (const re of STORED_FORMS)
    for (const m of text.matchAll(re))
      if (m[0].length > 0) ranges.push({ start: m.index, end: m.index + m[0].length });
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Array<{ start: number; end: number }> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r.start < last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  return merged;
}

/** Splits ranges around existing placeholders, which are never withheld twice. */
function outsidePlaceholders(text: string, ranges: Array<{ start: number; end: number }>) {
  const held = [...text.matchAll(/⟦\d+⟧|<x i="\d+"\/>/g)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
  }));
  const out: Array<{ start: number; end: number }> = [];
  for (const r of ranges) {
    let start = r.start;
    for (const h of held) {
      if (h.end <= start || h.start >= r.end) continue;
      if (h.start > start) out.push({ start, end: h.start });
      start = Math.max(start, h.end);
    }
    if (start < r.end && text.slice(start, r.end).trim()) out.push({ start, end: r.end });
  }
  return out;
}

const MAX_ROUNDS = 3;

export function withhold(
  text: string,
  lang: Language,
  provider: Pick<TranslationProvider, 'placeholder'>,
): Withheld {
  const values: string[] = [];
  let current = text;
  // Replacing spans changes the context the model sees; rescan until nothing new is found.
  for (let round = 0; ; round++) {
    const ranges = outsidePlaceholders(current, withheldRanges(current, lang));
    if (!ranges.length) return { text: current, values };
    if (round === MAX_ROUNDS)
      throw new VigilError('translation_withheld', 'text could not be made free of personal data');
    let out = '';
    let at = 0;
    for (const r of ranges) {
      values.push(current.slice(r.start, r.end));
      out += current.slice(at, r.start) + provider.placeholder(values.length);
      at = r.end;
    }
    current = out + current.slice(at);
  }
}

/** Puts the original values back; values whose placeholder the engine dropped are appended. */
export function restore(
  translated: string,
  w: Withheld,
  provider: Pick<TranslationProvider, 'placeholderPattern'>,
): { text: string; lost: number } {
  const used = new Set<number>();
  const re = new RegExp(provider.placeholderPattern.source, provider.placeholderPattern.flags);
  let text = translated.replace(re, (m, n: string) => {
    const i = Number(n);
    const v = w.values[i - 1];
    if (v === undefined) return m;
    used.add(i);
    return v;
  });
  const lost = w.values.filter((_v, i) => !used.has(i + 1));
  if (lost.length) text += ` (${lost.join(', ')})`;
  return { text, lost: lost.length };
}

/** Translates text through the provider with every personal value withheld. */
export async function translateWithheld(
  provider: TranslationProvider,
  text: string,
  from: Language,
  to: Language,
): Promise<{ text: string; withheld: number; lost: number }> {
  if (from === to) return { text, withheld: 0, lost: 0 };
  if (!provider.supports(from, to))
    throw new VigilError('translation_unsupported', 'language pair not supported');
  const w = withhold(text, from, provider);
  const out = restore(await provider.translate(w.text, from, to), w, provider);
  return { ...out, withheld: w.values.length };
}
