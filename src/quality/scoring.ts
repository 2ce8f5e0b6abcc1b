// Scorecards and their arithmetic: weighted criteria scored 0–100, auto-fail items scored pass
// (100) or fail (0), a failed auto-fail item fails the whole review (total 0). Calibration spread
// is the range and standard deviation of the reviewers' totals.
import { VigilError } from '../platform/errors.ts';

export interface Criterion {
  key: string;
  label: string;
  weight: number;
  /** "Disclosed data before verification": failing it fails the review. */
  autoFail: boolean;
}

export type Scores = Record<string, number>;

const KEY = /^[a-z][a-z0-9_]{0,39}$/;

export function validateCriteria(input: readonly Criterion[]): Criterion[] {
  if (input.length === 0 || input.length > 50)
    throw new VigilError('invalid_input', 'a scorecard needs 1 to 50 criteria');
  const keys = new Set<string>();
  for (const c of input) {
    if (!KEY.test(c.key)) throw new VigilError('invalid_input', 'criterion keys are lower-case identifiers');
    if (keys.has(c.key)) throw new VigilError('invalid_input', 'criterion keys must be unique');
    keys.add(c.key);
  }
  if (!input.some((c) => !c.autoFail && c.weight > 0))
    throw new VigilError('invalid_input', 'at least one weighted criterion is needed');
  return input.map((c) => ({
    key: c.key,
    label: c.label,
    weight: c.autoFail ? 0 : c.weight,
    autoFail: c.autoFail,
  }));
}

/** Checks a reviewer's scores against the scorecard and computes the total. */
export function scoreReview(
  criteria: readonly Criterion[],
  scores: Scores,
): { total: number; autoFailed: boolean } {
  const known = new Set(criteria.map((c) => c.key));
  for (const k of Object.keys(scores))
    if (!known.has(k)) throw new VigilError('invalid_input', 'score for an unknown criterion');
  let weighted = 0;
  let weights = 0;
  let autoFailed = false;
  for (const c of criteria) {
    const s = scores[c.key];
    if (s === undefined) throw new VigilError('invalid_input', 'every criterion needs a score');
    if (c.autoFail) {
      if (s !== 0 && s !== 100)
        throw new VigilError('invalid_input', 'auto-fail items are 0 (fail) or 100 (pass)');
      if (s === 0) autoFailed = true;
      continue;
    }
    weighted += c.weight * s;
    weights += c.weight;
  }
  const total = autoFailed ? 0 : Math.round((weighted / weights) * 100) / 100;
  return { total, autoFailed };
}

export function spread(totals: readonly number[]): {
  n: number;
  mean: number | null;
  range: number | null;
  stddev: number | null;
} {
  const n = totals.length;
  if (!n) return { n, mean: null, range: null, stddev: null };
  const mean = totals.reduce((a, b) => a + b, 0) / n;
  const variance = totals.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  return {
    n,
    mean: r2(mean),
    range: r2(Math.max(...totals) - Math.min(...totals)),
    stddev: r2(Math.sqrt(variance)),
  };
}
