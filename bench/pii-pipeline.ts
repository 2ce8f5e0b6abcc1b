// `npm run bench -- --only pii-pipeline`: the rule-based engine and the full engine with the trained
// model on the same text in the same run: throughput per core (CPU time of this one thread, so a busy
// machine inflates wall time but not this figure) and p50/p99 for 2 KB messages; model load time and
// the resident memory it adds.

import { scanText } from '../src/pii/index.ts';
import { loadNer } from '../src/pii/ner/model.ts';
import { generatePiiFreeText, generateSamples } from '../tools/generate/pii/samples.ts';

function corpus(bytes: number): string {
  const pii = generateSamples({ count: Math.ceil(bytes / 120), seed: 4242, voiceShare: 0 })
    .map((s) => s.text)
    .join('\n');
  const clean = ['de', 'en', 'fr']
    .map((l, i) => generatePiiFreeText(bytes / 6, 4243 + i, l as 'de'))
    .join('\n');
  return `${pii.slice(0, bytes / 2)}\n${clean}`.slice(0, bytes);
}

function cpuMs(fn: () => void): number {
  const c = process.cpuUsage();
  fn();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}

function percentile(values: number[], p: number): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function measure(text: string, messages: string[], statistical: boolean) {
  const opts = { lang: 'de' as const, statistical };
  scanText(text.slice(0, 20_000), opts);
  const rounds = 3;
  let ms = 0;
  const wall0 = performance.now();
  for (let i = 0; i < rounds; i++) ms += cpuMs(() => scanText(text, opts));
  const wallMs = (performance.now() - wall0) / rounds;
  const times: number[] = [];
  for (const m of messages) {
    const t = process.hrtime.bigint();
    scanText(m, opts);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const mb = Buffer.byteLength(text) / 1e6;
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    mbPerCpuSecond: r(mb / (ms / rounds / 1000)),
    mbPerWallSecond: r(mb / (wallMs / 1000)),
    message2KB: { p50Ms: r(percentile(times, 50)), p99Ms: r(percentile(times, 99)) },
  };
}

export async function benchPiiPipeline(): Promise<object> {
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const model = loadNer();
  const loadMs = performance.now() - t0;
  const rssAfter = process.memoryUsage().rss;
  const text = corpus(1 << 20);
  const messages: string[] = [];
  for (let i = 0; i + 2048 <= text.length && messages.length < 300; i += 2048)
    messages.push(text.slice(i, i + 2048));
  return {
    textMB: Math.round((Buffer.byteLength(text) / 1e6) * 100) / 100,
    rulesOnly: measure(text, messages, false),
    fullWithModel: measure(text, messages, true),
    model: {
      loadMs: Math.round(loadMs),
      bits: model.weights.bits,
      addedRssMb: Math.round((rssAfter - rssBefore) / 1e6),
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
    },
  };
}
