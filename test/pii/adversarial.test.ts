import { describe, expect, it } from 'vitest';
import { guardLogText, scanText } from '../../src/pii/index.ts';

// No catastrophic backtracking: every pattern must scale linearly. Absolute times are machine-dependent,
// so the assertion is a ratio of CPU time (robust to other processes sharing the cores): scanning 1 MB may
// take at most 12x the time for 256 KB (4x the bytes); a quadratic pattern would take 16x or more.

const SHAPES: Record<string, (n: number) => string> = {
  digits: (n) => '4'.repeat(n),
  digitGroups: (n) => '1234 '.repeat(Math.ceil(n / 5)).slice(0, n),
  separators: (n) => '- - / . , '.repeat(Math.ceil(n / 10)).slice(0, n),
  hugeWord: (n) => `Aa${'b'.repeat(n - 2)}`,
  capitalWords: (n) => 'Musterstrasse '.repeat(Math.ceil(n / 14)).slice(0, n),
  ats: (n) => 'a@'.repeat(Math.ceil(n / 2)).slice(0, n),
  dots: (n) => 'a.'.repeat(Math.ceil(n / 2)).slice(0, n),
  colons: (n) => 'ab:'.repeat(Math.ceil(n / 3)).slice(0, n),
  spokenDigits: (n) => 'eins zwei '.repeat(Math.ceil(n / 10)).slice(0, n),
  ibanish: (n) => 'DE12 '.repeat(Math.ceil(n / 5)).slice(0, n),
  cues: (n) => 'Passwort ist '.repeat(Math.ceil(n / 13)).slice(0, n),
  base64ish: (n) => 'aB3'.repeat(Math.ceil(n / 3)).slice(0, n),
};

/** Best of `runs`: the minimum filters out noise from other test files running in parallel. */
function time(fn: () => void, runs = 3): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

describe('adversarial input', () => {
  it.each(Object.keys(SHAPES))(
    '%s: 1 MB completes and scales linearly',
    (shape) => {
      const make = SHAPES[shape]!;
      const small = make(256 * 1024);
      const large = make(1024 * 1024);
      for (const channel of ['chat', 'voice'] as const) {
        scanText(small, { channel }); // warm-up
        const tSmall = Math.max(
          2,
          time(() => scanText(small, { channel }), 7),
        );
        const tLarge = time(() => scanText(large, { channel }), 3);
        expect(
          tLarge / tSmall,
          `${shape}/${channel}: ${tLarge.toFixed(0)}ms vs ${tSmall.toFixed(0)}ms`,
        ).toBeLessThan(12);
      }
      const gSmall = Math.max(
        2,
        time(() => guardLogText(small), 5),
      );
      const gLarge = time(() => guardLogText(large), 2);
      expect(gLarge / gSmall).toBeLessThan(12);
    },
    120_000,
  );
});
