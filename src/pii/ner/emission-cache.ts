import {
  bucket,
  FEATURES_PER_TOKEN,
  info,
  newWindow,
  type Offset,
  PAD,
  PAIR_SLOTS,
  pairBuckets,
  type TokenInfo,
  UNIGRAM_SLOTS,
  windowAt,
} from './features.ts';
import type { Gazetteer } from './gazetteer.ts';
import { type NerWeights, NUM_TAGS } from './weights.ts';

// The run-time scorer. Most feature slots read one word at a fixed offset, so their summed weights are a
// property of the word: they are computed once per (word, offset) and cached, and only the slots that
// combine tokens are looked up per token (11 random reads of the weight table instead of 30). The sums
// are the same integers the trainer's path (extractFeatures + emissions) adds, in a different order, so
// an int16 model scores identically on both paths (test/pii/ner-emissions.test.ts).

const OFFSETS: readonly Offset[] = [-2, -1, 0, 1, 2];
const BLOCK = 7;
if (NUM_TAGS !== BLOCK) throw new Error('emission-cache.ts assumes 7 tags');

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
let scores = new Float32Array(64 * NUM_TAGS);
const win = newWindow();
const pairs = new Int32Array(FEATURES_PER_TOKEN);

/**
 * Emission scores per token and tag, equal to emissions(w, extractFeatures(words, gaz, w.bits), n).
 * The result is a view of a buffer reused by the next call: read it before scoring another sentence.
 */
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
  if (scores.length < n * NUM_TAGS) scores = new Float32Array(2 * n * NUM_TAGS);
  const emit = w.emit as Int16Array;
  const { scale, bias } = w;
  for (let i = 0; i < n; i++) {
    // Seven named accumulators (NUM_TAGS is 7): V8 keeps them in registers, an array would not be.
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    for (let d = -2; d <= 2; d++) {
      const sums = (i + d >= 0 && i + d < n ? entries[i + d]! : pad).sums;
      // Token i reads its neighbour i+d through the slots of offset d.
      const o = (d + 2) * BLOCK;
      s0 += sums[o]!;
      s1 += sums[o + 1]!;
      s2 += sums[o + 2]!;
      s3 += sums[o + 3]!;
      s4 += sums[o + 4]!;
      s5 += sums[o + 5]!;
      s6 += sums[o + 6]!;
    }
    windowAt(win, infos, i, n);
    pairBuckets(win, w.bits, pairs, 0);
    for (let p = 0; p < PAIR_SLOTS.length; p++) {
      const b = pairs[PAIR_SLOTS[p]!]! * BLOCK;
      s0 += emit[b]!;
      s1 += emit[b + 1]!;
      s2 += emit[b + 2]!;
      s3 += emit[b + 3]!;
      s4 += emit[b + 4]!;
      s5 += emit[b + 5]!;
      s6 += emit[b + 6]!;
    }
    const row = i * BLOCK;
    scores[row] = s0 * scale + bias[0]!;
    scores[row + 1] = s1 * scale + bias[1]!;
    scores[row + 2] = s2 * scale + bias[2]!;
    scores[row + 3] = s3 * scale + bias[3]!;
    scores[row + 4] = s4 * scale + bias[4]!;
    scores[row + 5] = s5 * scale + bias[5]!;
    scores[row + 6] = s6 * scale + bias[6]!;
  }
  return scores.subarray(0, n * NUM_TAGS);
}
