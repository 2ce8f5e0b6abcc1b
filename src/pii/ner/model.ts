import { readFileSync } from 'node:fs';
import { sentenceEmissions } from './emission-cache.ts';
import { FEATURES_PER_TOKEN } from './features.ts';
import { type Gazetteer, loadGazetteer } from './gazetteer.ts';
import { type NerWeights, NUM_TAGS, TAGS } from './weights.ts';

// A linear-chain model (structured averaged perceptron, trained by tools/pii/train-ner.ts) over hashed
// features with BIO tags for PER, LOC and ORG, decoded with Viterbi. Loaded once, lazily, from
// src/pii/ner/data/ner-model.bin; nothing is fetched at run time.

export { type NerWeights, NUM_TAGS, TAGS, type Tag } from './weights.ts';

/** I-X may only follow B-X or I-X. */
export function allowed(prev: number, tag: number): boolean {
  if (tag === 0 || tag % 2 === 1) return true;
  return prev === tag || prev === tag - 1;
}

/** Emission scores per token and tag for a sentence's features. */
export function emissions(w: NerWeights, feats: Int32Array, n: number): Float32Array {
  const scores = new Float32Array(n * NUM_TAGS);
  const emit = w.emit;
  for (let i = 0; i < n; i++) {
    const base = i * FEATURES_PER_TOKEN;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    for (let k = 0; k < FEATURES_PER_TOKEN; k++) {
      const b = feats[base + k]! * NUM_TAGS;
      s0 += emit[b]!;
      s1 += emit[b + 1]!;
      s2 += emit[b + 2]!;
      s3 += emit[b + 3]!;
      s4 += emit[b + 4]!;
      s5 += emit[b + 5]!;
      s6 += emit[b + 6]!;
    }
    const row = i * NUM_TAGS;
    const sc = w.scale;
    const bias = w.bias;
    scores[row] = s0 * sc + bias[0]!;
    scores[row + 1] = s1 * sc + bias[1]!;
    scores[row + 2] = s2 * sc + bias[2]!;
    scores[row + 3] = s3 * sc + bias[3]!;
    scores[row + 4] = s4 * sc + bias[4]!;
    scores[row + 5] = s5 * sc + bias[5]!;
    scores[row + 6] = s6 * sc + bias[6]!;
  }
  return scores;
}

/** allowed(prev, tag) as a table; row NUM_TAGS is the start state. */
const ALLOWED = Uint8Array.from({ length: (NUM_TAGS + 1) * NUM_TAGS }, (_, i) =>
  allowed(Math.floor(i / NUM_TAGS), i % NUM_TAGS) ? 1 : 0,
);
// Lattice buffers reused across sentences (grown on demand).
let best = new Float32Array(64 * NUM_TAGS);
let back = new Uint8Array(64 * NUM_TAGS);

/** Best tag sequence (Viterbi, first order) for precomputed emission scores. */
export function viterbi(w: NerWeights, scores: Float32Array, n: number): Uint8Array {
  if (best.length < n * NUM_TAGS) {
    best = new Float32Array(2 * n * NUM_TAGS);
    back = new Uint8Array(2 * n * NUM_TAGS);
  }
  const trans = w.trans;
  for (let t = 0; t < NUM_TAGS; t++)
    best[t] = ALLOWED[NUM_TAGS * NUM_TAGS + t] ? scores[t]! + trans[NUM_TAGS * NUM_TAGS + t]! : -1e9;
  for (let i = 1; i < n; i++) {
    const prevRow = (i - 1) * NUM_TAGS;
    const row = i * NUM_TAGS;
    for (let t = 0; t < NUM_TAGS; t++) {
      let bestScore = -Infinity;
      let arg = 0;
      for (let p = 0; p < NUM_TAGS; p++) {
        if (ALLOWED[p * NUM_TAGS + t] === 0) continue;
        const s = best[prevRow + p]! + trans[p * NUM_TAGS + t]!;
        if (s > bestScore) {
          bestScore = s;
          arg = p;
        }
      }
      best[row + t] = bestScore + scores[row + t]!;
      back[row + t] = arg;
    }
  }
  const path = new Uint8Array(n);
  let arg = 0;
  let top = -Infinity;
  for (let t = 0; t < NUM_TAGS; t++) {
    if (best[(n - 1) * NUM_TAGS + t]! > top) {
      top = best[(n - 1) * NUM_TAGS + t]!;
      arg = t;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    path[i] = arg;
    arg = back[i * NUM_TAGS + arg]!;
  }
  return path;
}

export interface TokenSpan {
  /** Token index range, end exclusive. */
  from: number;
  to: number;
  label: 'PER' | 'LOC' | 'ORG';
  score: number;
}

const scratch = new Float64Array(NUM_TAGS);

/** Softmax probability of `tag` at token i given the previous tag (a local confidence). */
export function confidence(
  w: NerWeights,
  scores: Float32Array,
  i: number,
  prev: number,
  tag: number,
): number {
  let max = -Infinity;
  const local = scratch;
  for (let t = 0; t < NUM_TAGS; t++) {
    local[t] = allowed(prev, t)
      ? (scores[i * NUM_TAGS + t]! + w.trans[prev * NUM_TAGS + t]!) / w.temperature
      : -1e9;
    if (local[t]! > max) max = local[t]!;
  }
  let sum = 0;
  for (let t = 0; t < NUM_TAGS; t++) sum += Math.exp(local[t]! - max);
  return Math.exp(local[tag]! - max) / sum;
}

/** Decoded entity spans of one sentence with a score in [0, 1] (mean local confidence of its tokens). */
export function tagSentence(w: NerWeights, gaz: Gazetteer, words: readonly string[]): TokenSpan[] {
  const n = words.length;
  if (n === 0) return [];
  const scores = sentenceEmissions(w, gaz, words);
  const path = viterbi(w, scores, n);
  const spans: TokenSpan[] = [];
  for (let i = 0; i < n; i++) {
    const tag = path[i]!;
    if (tag === 0 || tag % 2 === 0) continue;
    let j = i + 1;
    while (j < n && path[j] === tag + 1) j++;
    let sum = 0;
    for (let k = i; k < j; k++) sum += confidence(w, scores, k, k === 0 ? NUM_TAGS : path[k - 1]!, path[k]!);
    spans.push({ from: i, to: j, label: TAGS[tag]!.slice(2) as TokenSpan['label'], score: sum / (j - i) });
    i = j - 1;
  }
  return spans;
}

const MAGIC = 'VNER1';

/** Model file: magic, JSON header length (u32), header {bits, scale}, int16 emissions, float32 transitions. */
export function encodeModel(w: NerWeights): Buffer {
  let maxAbs = 0;
  for (const v of w.emit) if (Math.abs(v * w.scale) > maxAbs) maxAbs = Math.abs(v * w.scale);
  const scale = maxAbs > 0 ? maxAbs / 32767 : 1;
  const header = Buffer.from(
    JSON.stringify({ bits: w.bits, scale, temperature: w.temperature, bias: [...w.bias], tags: TAGS }),
  );
  const emit = new Int16Array(w.emit.length);
  for (let i = 0; i < w.emit.length; i++) emit[i] = Math.round((w.emit[i]! * w.scale) / scale);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  return Buffer.concat([
    Buffer.from(MAGIC),
    len,
    header,
    Buffer.from(emit.buffer),
    Buffer.from(new Float32Array(w.trans).buffer),
  ]);
}

export function decodeModel(buf: Buffer): NerWeights {
  if (buf.subarray(0, MAGIC.length).toString() !== MAGIC) throw new Error('not a Vigil NER model');
  const headerLen = buf.readUInt32LE(MAGIC.length);
  let offset = MAGIC.length + 4;
  const header = JSON.parse(buf.subarray(offset, offset + headerLen).toString()) as {
    bits: number;
    scale: number;
    temperature: number;
    bias?: number[];
  };
  offset += headerLen;
  const size = (1 << header.bits) * NUM_TAGS;
  const emit = new Int16Array(buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + size * 2));
  offset += size * 2;
  const trans = new Float32Array(
    buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + (NUM_TAGS + 1) * NUM_TAGS * 4),
  );
  const bias = Float32Array.from(header.bias ?? new Array(NUM_TAGS).fill(0));
  return { bits: header.bits, emit, scale: header.scale, trans, temperature: header.temperature, bias };
}

export interface LoadedNer {
  weights: NerWeights;
  gazetteer: Gazetteer;
  loadMs: number;
}

let loaded: LoadedNer | undefined;

/** The shipped model, loaded on first use. A missing model file throws: the engine never degrades silently. */
export function loadNer(): LoadedNer {
  if (loaded) return loaded;
  const t0 = performance.now();
  const buf = readFileSync(new URL('./data/ner-model.bin', import.meta.url));
  const weights = decodeModel(buf);
  loaded = { weights, gazetteer: loadGazetteer(), loadMs: 0 };
  loaded.loadMs = performance.now() - t0;
  return loaded;
}
