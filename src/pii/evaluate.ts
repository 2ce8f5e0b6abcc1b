import type { Channel, EntityType, Lang, Span } from './types.ts';

export interface GoldSpan {
  start: number;
  end: number;
  type: EntityType;
}

export interface Sample {
  text: string;
  lang: Lang;
  spans: GoldSpan[];
  channel?: Channel;
}

export interface EntityScore {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  /** Recall-weighted (beta 2): a missed name costs more than a false alarm. */
  f2: number;
}

export interface EvalReport {
  samples: number;
  perEntity: Partial<Record<EntityType, EntityScore>>;
  micro: EntityScore;
  /** Up to 20 mistakes for debugging: what was missed or wrongly flagged, with the text. */
  errors: Array<{ kind: 'fp' | 'fn'; type: EntityType; value: string; text: string }>;
}

/** A prediction matches a gold span when the types agree and they overlap by at least half the longer one. */
export function spansMatch(
  a: { start: number; end: number; type: string },
  b: { start: number; end: number; type: string },
): boolean {
  if (a.type !== b.type) return false;
  const overlap = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  return overlap > 0 && overlap * 2 >= Math.max(a.end - a.start, b.end - b.start);
}

function score(tp: number, fp: number, fn: number): EntityScore {
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  const f2 = precision + recall === 0 ? 0 : (5 * precision * recall) / (4 * precision + recall);
  return { tp, fp, fn, precision, recall, f1, f2 };
}

/** Scores `predict` against labelled samples: per-entity precision/recall/F1 and micro-averaged totals. */
export async function evaluate(
  gold: readonly Sample[],
  predict: (sample: Sample) => readonly Span[] | Promise<readonly Span[]>,
): Promise<EvalReport> {
  const counts = new Map<EntityType, { tp: number; fp: number; fn: number }>();
  const bump = (t: EntityType, k: 'tp' | 'fp' | 'fn') => {
    const c = counts.get(t) ?? { tp: 0, fp: 0, fn: 0 };
    c[k]++;
    counts.set(t, c);
  };
  const errors: EvalReport['errors'] = [];
  for (const sample of gold) {
    const predicted = await predict(sample);
    const used = new Set<number>();
    for (const p of predicted) {
      const idx = sample.spans.findIndex((g, i) => !used.has(i) && spansMatch(p, g));
      if (idx >= 0) {
        used.add(idx);
        bump(p.type, 'tp');
      } else {
        bump(p.type, 'fp');
        if (errors.length < 20)
          errors.push({
            kind: 'fp',
            type: p.type,
            value: sample.text.slice(p.start, p.end),
            text: sample.text,
          });
      }
    }
    sample.spans.forEach((g, i) => {
      if (used.has(i)) return;
      bump(g.type, 'fn');
      if (errors.length < 20)
        errors.push({
          kind: 'fn',
          type: g.type,
          value: sample.text.slice(g.start, g.end),
          text: sample.text,
        });
    });
  }
  const perEntity: EvalReport['perEntity'] = {};
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [type, c] of [...counts].sort((a, b) => a[0].localeCompare(b[0]))) {
    perEntity[type] = score(c.tp, c.fp, c.fn);
    tp += c.tp;
    fp += c.fp;
    fn += c.fn;
  }
  return { samples: gold.length, perEntity, micro: score(tp, fp, fn), errors };
}

/** Parses JSONL lines into samples, skipping blank lines; throws with the line number on bad input. */
export function parseSamples(jsonl: string): Sample[] {
  const samples: Sample[] = [];
  jsonl.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new Error(`line ${i + 1}: invalid JSON`);
    }
    const s = v as Partial<Sample>;
    if (typeof s.text !== 'string' || !Array.isArray(s.spans))
      throw new Error(`line ${i + 1}: expected {text, lang, spans}`);
    samples.push({
      text: s.text,
      lang: s.lang ?? 'de',
      spans: s.spans,
      ...(s.channel ? { channel: s.channel } : {}),
    });
  });
  return samples;
}
