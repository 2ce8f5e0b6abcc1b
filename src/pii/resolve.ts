import type { Span } from './types.ts';

/**
 * Overlapping spans resolve to the best one: higher score, then longer, then earlier. Uses an occupancy
 * bitmap over the text so resolution stays linear even with 100k candidate spans.
 */
export function resolveOverlaps(spans: readonly Span[], textLength: number): Span[] {
  if (spans.length <= 1) return spans.slice();
  const ranked = spans
    .slice()
    .sort((a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const taken = new Uint8Array(textLength + 1);
  const kept: Span[] = [];
  for (const s of ranked) {
    let free = true;
    for (let i = s.start; i < s.end; i++) {
      if (taken[i]) {
        free = false;
        break;
      }
    }
    if (!free) continue;
    taken.fill(1, s.start, s.end);
    kept.push(s);
  }
  return kept.sort((a, b) => a.start - b.start);
}
