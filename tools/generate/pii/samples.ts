import type { GoldSpan, Sample } from '../../../src/pii/evaluate.ts';
import type { Lang } from '../../../src/pii/types.ts';
import { FIRST_NAMES, LAST_NAMES } from './identifiers.ts';
import { Rng } from './random.ts';
import {
  NEGATIVE_SENTENCES,
  NEUTRAL_SENTENCES,
  PII_SENTENCES,
  SIGNATURES,
  VOICE_NEUTRAL,
  VOICE_SENTENCES,
} from './templates.ts';
import { fill } from './values.ts';

// Deterministic generator of labelled support messages (de/en/fr) with valid identifiers, hard
// negatives and spoken-digit call transcripts, plus a PII-free corpus for false-positive tests.

const LANGS: readonly Lang[] = ['de', 'en', 'fr'];
const PLACEHOLDER = /\{([A-Z]+)\}/g;

class SampleBuilder {
  text = '';
  spans: GoldSpan[] = [];
  constructor(
    private rng: Rng,
    private lang: Lang,
    private person: { first: string; last: string },
  ) {}
  add(template: string, separator = ' '): void {
    if (this.text) this.text += separator;
    let cursor = 0;
    PLACEHOLDER.lastIndex = 0;
    for (let m = PLACEHOLDER.exec(template); m; m = PLACEHOLDER.exec(template)) {
      this.text += template.slice(cursor, m.index);
      const filled = fill(this.rng, this.lang, m[1]!, this.person);
      if (filled.type)
        this.spans.push({
          start: this.text.length,
          end: this.text.length + filled.value.length,
          type: filled.type,
        });
      this.text += filled.value;
      cursor = m.index + m[0].length;
    }
    this.text += template.slice(cursor);
  }
}

function person(rng: Rng, lang: Lang): { first: string; last: string } {
  return { first: rng.pick(FIRST_NAMES[lang]), last: rng.pick(LAST_NAMES[lang]) };
}

export interface GenerateOptions {
  count: number;
  seed?: number;
  /** Share of call transcripts with spoken numbers (default 0.15). */
  voiceShare?: number;
}

export function generateSamples({ count, seed = 1, voiceShare = 0.15 }: GenerateOptions): Sample[] {
  const rng = new Rng(seed);
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const lang = rng.pick(LANGS);
    const b = new SampleBuilder(rng, lang, person(rng, lang));
    const roll = rng.next();
    if (roll < voiceShare) {
      if (rng.chance(0.5)) b.add(rng.pick(VOICE_NEUTRAL[lang]));
      b.add(rng.pick(VOICE_SENTENCES[lang]), '\n');
      if (rng.chance(0.5)) b.add(rng.pick(VOICE_NEUTRAL[lang]), '\n');
      samples.push({ text: b.text, lang, spans: b.spans, channel: 'voice' });
      continue;
    }
    const email = rng.chance(0.4);
    if (rng.chance(0.5)) b.add(rng.pick(NEUTRAL_SENTENCES[lang]));
    if (roll < 0.85) {
      const n = rng.int(1, 3);
      for (let k = 0; k < n; k++) b.add(rng.pick(PII_SENTENCES[lang]));
    }
    const negatives = rng.int(roll < 0.85 ? 0 : 1, 2);
    for (let k = 0; k < negatives; k++) b.add(rng.pick(NEGATIVE_SENTENCES[lang]));
    if (rng.chance(0.3)) b.add(rng.pick(NEUTRAL_SENTENCES[lang]));
    if (email && rng.chance(0.7)) b.add(rng.pick(SIGNATURES[lang]), '\n\n');
    samples.push({ text: b.text, lang, spans: b.spans, channel: email ? 'email' : 'chat' });
  }
  return samples;
}

/** Support-style text without PII: order/tracking/invoice numbers, prices, dates, product codes, bad checksums. */
export function generatePiiFreeText(minLength: number, seed = 1, lang?: Lang): string {
  const rng = new Rng(seed);
  const parts: string[] = [];
  let length = 0;
  while (length < minLength) {
    const l = lang ?? rng.pick(LANGS);
    const b = new SampleBuilder(rng, l, person(rng, l));
    b.add(rng.pick(rng.chance(0.6) ? NEGATIVE_SENTENCES[l] : NEUTRAL_SENTENCES[l]));
    parts.push(b.text);
    length += b.text.length + 1;
  }
  return parts.join(' ');
}
