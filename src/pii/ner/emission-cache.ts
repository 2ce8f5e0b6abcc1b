import {
  bucket,
  info,
  newWindow,
  type Offset,
  PAD,
  PAIR_SLOTS,
  type TokenInfo,
  UNIGRAM_SLOTS,
  windowAt,
} from './features.ts';
import type { Gazetteer } from './gazetteer.ts';
import { NUM_TAGS, type NerWeights } from './weights.ts';

// The run-time scorer. Most feature slots read one word at a fixed offset, so their summed weights are a
// property of the word: they are computed once per (word, offset) and cached, and only the slots that
// combine tokens are looked up per token (11 random reads of the weight table instead of 30). The sums
// are the same integers the trainer's path (extractFeatures + emissions) adds, in a different order, so
// an int16 model scores identically on both paths (test/pii/ner-emissions.test.ts).

const OFFSETS: readonly Offset[] = [-2, -1, 0, 1, 2];
const BLOCK = NUM_TAGS;

interface Entry {
  info: TokenInfo;
  /** Five blocks of NUM_TAGS sums: the word's unigram slots as the token at offset -2, -1, 0, +1, +2. */
  sums: Float64Array;
}

const CACHE_LIMIT = 50_000;
const cache = new Map<string, Entry>();
let cachedFor: { emit: NerWeights['emit']; gaz: Gazetteer } | undefined;
let padEntry: Entry | undefined;

function sumsOf(t: TokenInfo, w: NerWeights): Float64Array {
  const sums = new Float64Array(OFFSETS.length * BLOCK);
  const emit = w.emit;
  for (const [slot, offset, value] of UNIGRAM_SLOTS) {
    const b = bucket(slot, value(t), w.bits) * NUM_TAGS;
    const o = (offset + 2) * BLOCK;
    for (let k = 0; k < NUM_TAGS; k++) sums[o + k]! += emit[b + k]!;
  }
  return sums;
}

function entryOf(word: string, w: NerWeights, gaz: Gazetteer): Entry {
  const hit = cache.get(word);
  if (hit) return hit;
  const t = info(word, gaz);
  const e = { info: t, sums: sumsOf(t, w) };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(word, e);
  return e;
}

// Buffers reused across sentences (grown on demand): the engine scans many short segments.
let entries: Entry[] = [];
let infos: TokenInfo[] = [];
const win = newWindow();

/** Emission scores per token and tag, equal to emissions(w, extractFeatures(words, gaz, w.bits), n). */
export function sentenceEmissions(w: NerWeights, gaz: Gazetteer, words: readonly string[]): Float32Array {
  if (cachedFor?.emit !== w.emit || cachedFor.gaz !== gaz) {
    cache.clear();
    cachedFor = { emit: w.emit, gaz };
    padEntry = { info: PAD, sums: sumsOf(PAD, w) };
  }
  const pad = padEntry!;
  const n = words.length;
  if (entries.length < n) {
    entries = new Array(n);
    infos = new Array(n);
  }
  for (let i = 0; i < n; i++) {
    entries[i] = entryOf(words[i]!, w, gaz);
    infos[i] = entries[i]!.info;
  }
  const scores = new Float32Array(n * NUM_TAGS);
  const acc = new Float64Array(NUM_TAGS);
  const emit = w.emit;
  for (let i = 0; i < n; i++) {
    acc.fill(0);
    for (let d = -2; d <= 2; d++) {
      const e = i + d >= 0 && i + d < n ? entries[i + d]! : pad;
      // Token i reads its neighbour i+d through the slots of offset d.
      const o = (d + 2) * BLOCK;
      for (let k = 0; k < NUM_TAGS; k++) acc[k]! += e.sums[o + k]!;
    }
    windowAt(win, infos, i, n);
    for (const [slot, value] of PAIR_SLOTS) {
      const b = bucket(slot, value(win), w.bits) * NUM_TAGS;
      for (let k = 0; k < NUM_TAGS; k++) acc[k]! += emit[b + k]!;
    }
    const row = i * NUM_TAGS;
    for (let k = 0; k < NUM_TAGS; k++) scores[row + k] = acc[k]! * w.scale + w.bias[k]!;
  }
  return scores;
}
