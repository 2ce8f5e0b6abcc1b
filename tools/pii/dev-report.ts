import type { Gazetteer } from '../../src/pii/ner/gazetteer.ts';
import { type NerWeights, tagSentence } from '../../src/pii/ner/model.ts';
import type { Sentence } from './corpora.ts';

// Dev figures: exact entity spans (token boundaries and type), per language and type, on the sentences
// as written and again lower-cased without punctuation (the chat shape).

interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

function goldSpans(tags: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < tags.length; i++) {
    const t = tags[i]!;
    if (t === 'O') continue;
    const label = t.slice(2);
    let j = i + 1;
    while (j < tags.length && tags[j] === `I-${label}`) j++;
    out.add(`${i}:${j}:${label}`);
    i = j - 1;
  }
  return out;
}

const PUNCT = /^[^\p{L}\p{N}]+$/u;

function chatShape(s: Sentence): Sentence {
  const keep = s.words.map((w) => !PUNCT.test(w));
  return {
    ...s,
    words: s.words.filter((_, i) => keep[i]).map((w) => w.toLowerCase()),
    tags: s.tags.filter((_, i) => keep[i]),
  };
}

function score(c: Counts) {
  const p = c.tp + c.fp === 0 ? 1 : c.tp / (c.tp + c.fp);
  const r = c.tp + c.fn === 0 ? 1 : c.tp / (c.tp + c.fn);
  const f = (beta: number) => (p + r === 0 ? 0 : ((1 + beta * beta) * p * r) / (beta * beta * p + r));
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { precision: round(p), recall: round(r), f1: round(f(1)), f2: round(f(2)), ...c };
}

export function devReport(w: NerWeights, gaz: Gazetteer, dev: readonly Sentence[]): object {
  const report: Record<string, Record<string, object>> = {};
  for (const shape of ['as-written', 'chat-shaped'] as const) {
    const counts = new Map<string, Counts>();
    const bump = (key: string, k: keyof Counts) => {
      const c = counts.get(key) ?? { tp: 0, fp: 0, fn: 0 };
      c[k]++;
      counts.set(key, c);
    };
    for (const raw of dev) {
      const s = shape === 'chat-shaped' ? chatShape(raw) : raw;
      const gold = goldSpans(s.tags);
      const pred = new Set(tagSentence(w, gaz, s.words).map((p) => `${p.from}:${p.to}:${p.label}`));
      for (const p of pred) bump(`${s.source} ${p.split(':')[2]}`, gold.has(p) ? 'tp' : 'fp');
      for (const g of gold) if (!pred.has(g)) bump(`${s.source} ${g.split(':')[2]}`, 'fn');
    }
    report[shape] = Object.fromEntries([...counts].sort().map(([k, c]) => [k, score(c)]));
  }
  return report;
}
