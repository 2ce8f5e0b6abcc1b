import { applyContext } from './context.ts';
import { RECOGNIZERS, SPOKEN_RECOGNIZERS } from './recognizers/index.ts';
import { recognizeNamedEntities } from './recognizers/ner.ts';
import { resolveOverlaps } from './resolve.ts';
import type { Lang, Recognizer, RecognizerContext, Region, ScanOptions, Span } from './types.ts';
import { mapBack, normalizeTranscript } from './voice/normalize.ts';
import { recognizeSpelledNames, recognizeSpokenCvv, recognizeSpokenEmail } from './voice/spoken.ts';

export const DEFAULT_MIN_SCORE = 0.5;

const REGION_FOR_LANG: Record<Lang, Region> = { de: 'DE', en: 'GB', fr: 'FR' };

export interface ScanTextOptions extends ScanOptions {
  /** Candidates below this score are dropped before overlap resolution (default 0.5). */
  minScore?: number;
  /** Run the trained model (default true); false gives the rule-based engine alone, for comparison. */
  statistical?: boolean;
}

const RULES_ONLY = RECOGNIZERS.filter((r) => r !== recognizeNamedEntities);

/** Context can raise a score by at most this much; weaker candidates are dropped before looking. */
const MAX_CONTEXT_BOOST = 0.2;

function run(
  recognizers: readonly Recognizer[],
  text: string,
  ctx: RecognizerContext,
  minScore: number,
): Span[] {
  ctx.out = [];
  for (const recognize of recognizers) recognize(text, ctx);
  const kept: Span[] = [];
  for (const span of ctx.out) {
    if (span.score + MAX_CONTEXT_BOOST < minScore) continue;
    applyContext(text, span);
    if (span.score >= minScore) kept.push(span);
  }
  return kept;
}

/**
 * Detects PII in `text`. Returns non-overlapping spans sorted by start, offsets in UTF-16 code units.
 * With channel 'voice', spoken digits and spelling alphabets are normalized first and spans found in
 * the normalized text are mapped back to cover the original words.
 */
export function scanText(text: string, opts: ScanTextOptions = {}): Span[] {
  const lang = opts.lang ?? 'de';
  const ctx: RecognizerContext = {
    lang,
    region: opts.region ?? REGION_FOR_LANG[lang],
    knownNames: opts.knownNames ?? [],
    out: [],
  };
  const minScore = opts.minScore ?? DEFAULT_MIN_SCORE;
  const candidates = run(opts.statistical === false ? RULES_ONLY : RECOGNIZERS, text, ctx, minScore);
  if (opts.channel === 'voice') {
    recognizeSpokenEmail(text, candidates);
    recognizeSpokenCvv(text, candidates);
    const normalized = normalizeTranscript(text);
    if (normalized) {
      recognizeSpelledNames(normalized.compact, text, candidates);
      for (const mapped of [normalized.grouped, normalized.compact]) {
        for (const s of run(SPOKEN_RECOGNIZERS, mapped.text, ctx, minScore)) {
          const back = mapBack(mapped, s.start, s.end);
          if (back.end > back.start) candidates.push({ ...s, ...back });
        }
      }
    }
  }
  return resolveOverlaps(candidates, text.length);
}
