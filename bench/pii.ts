import { guardLogText } from '../src/pii/log-guard.ts';
import { scanText } from '../src/pii/scan.ts';
import { generatePiiFreeText, generateSamples } from '../tools/generate/pii/samples.ts';

// Throughput (MB/s, one core) on mixed support text and p99 added latency for a 2 KB message, each
// next to a same-run baseline (a plain e-mail regex pass over the same text) so machines compare.

const BASELINE_EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

function mixedText(bytes: number): string {
  const samples = generateSamples({ count: Math.ceil(bytes / 120), seed: 4242, voiceShare: 0 });
  const pii = samples.map((s) => s.text).join('\n');
  const clean = generatePiiFreeText(bytes, 4243);
  // Roughly half PII-bearing messages, half ordinary support chatter.
  return (pii.slice(0, bytes / 2) + '\n' + clean.slice(0, bytes / 2)).slice(0, bytes);
}

function timeIt(fn: () => void, minMs: number): number {
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    fn();
    runs++;
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return elapsed / runs;
}

function percentile(values: number[], p: number): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function benchPii(): Promise<object> {
  const text = mixedText(1 << 20);
  const mb = Buffer.byteLength(text) / 1e6;
  scanText(text);
  const scanMs = timeIt(() => scanText(text), 1500);
  const baselineMs = timeIt(() => {
    BASELINE_EMAIL.lastIndex = 0;
    let n = 0;
    while (BASELINE_EMAIL.exec(text)) n++;
    if (n < 0) throw new Error('unreachable');
  }, 500);
  const guardMs = timeIt(() => guardLogText(text), 500);

  // 2 KB messages: p99 of per-message scan time, baseline p99 of toLowerCase on the same messages.
  const messages: string[] = [];
  for (let i = 0; i + 2048 <= text.length && messages.length < 400; i += 2048)
    messages.push(text.slice(i, i + 2048));
  for (const m of messages) scanText(m);
  const scanTimes: number[] = [];
  const baseTimes: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const m of messages) {
      let t = process.hrtime.bigint();
      scanText(m);
      scanTimes.push(Number(process.hrtime.bigint() - t));
      t = process.hrtime.bigint();
      m.toLowerCase();
      baseTimes.push(Number(process.hrtime.bigint() - t));
    }
  }
  const p99 = percentile(scanTimes, 99);
  const baseP99 = percentile(baseTimes, 99);
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    name: 'pii',
    textMB: r(mb),
    scanMBps: r(mb / (scanMs / 1000)),
    baselineEmailRegexMBps: r(mb / (baselineMs / 1000)),
    scanToBaselineTimeRatio: r(scanMs / baselineMs),
    logGuardMBps: r(mb / (guardMs / 1000)),
    message2KB: {
      p50Ms: r(percentile(scanTimes, 50) / 1e6),
      p99Ms: r(p99 / 1e6),
      p99Ns: Math.round(p99),
      baselineToLowerCaseP99Ns: Math.round(baseP99),
      ratio: r(p99 / Math.max(1, baseP99)),
    },
  };
}
