import { GAZ_BITS, type Gazetteer } from './gazetteer.ts';

// Hashed features ("hashing trick"): every feature is (template, value) mixed into one of 2^bits buckets,
// so the model is a flat weight table and no feature dictionary is kept in memory. Token-level hashes
// (word, affixes, shape) are computed once per token and combined by integer mixing, not string concat.

export const FEATURES_PER_TOKEN = 30;

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Word shape with repeats collapsed: "Müller" -> "Xx", "0171" -> "d", "O'Brien" -> "X'Xx". */
function shapeOf(word: string, lower: string, upperCase: string): string {
  let out = '';
  let last = -1;
  for (let i = 0; i < word.length; i++) {
    const ch = word.charCodeAt(i);
    const c =
      ch >= 48 && ch <= 57
        ? 100 // d
        : ch !== lower.charCodeAt(i)
          ? 88 // X
          : ch !== upperCase.charCodeAt(i)
            ? 120 // x
            : ch;
    if (c !== last) out += String.fromCharCode(c);
    last = c;
  }
  return out;
}

/** 0 lower, 1 capitalised, 2 all caps, 3 mixed/other, 4 digits, 5 punctuation. */
function casing(word: string, lower: string, upperCase: string): number {
  const c = word.charCodeAt(0);
  if (c >= 48 && c <= 57) return 4;
  if (lower.charCodeAt(0) === upperCase.charCodeAt(0)) return /^\p{N}/u.test(word) ? 4 : 5;
  if (word === lower) return 0;
  if (word === upperCase) return word.length > 1 ? 2 : 1;
  return c !== lower.charCodeAt(0) && word.slice(1) === lower.slice(1) ? 1 : 3;
}

export interface TokenInfo {
  lower: number;
  shape: number;
  suf2: number;
  suf3: number;
  suf4: number;
  pre3: number;
  gaz: number;
  casing: number;
  len: number;
}

export const PAD: TokenInfo = {
  lower: 1,
  shape: 2,
  suf2: 3,
  suf3: 4,
  suf4: 5,
  pre3: 6,
  gaz: 0,
  casing: 6,
  len: 0,
};

// Words repeat (Zipf): per-word hashes are computed once and cached, which is most of the feature cost.
const CACHE_LIMIT = 100_000;
const cache = new Map<string, TokenInfo>();
let cachedFor: Gazetteer | undefined;

/** Per-word hashes, cached (the cache follows one gazetteer at a time). */
export function info(word: string, gaz: Gazetteer): TokenInfo {
  if (cachedFor !== gaz) {
    cache.clear();
    cachedFor = gaz;
  }
  const hit = cache.get(word);
  if (hit) return hit;
  const lower = word.toLowerCase();
  const upperCase = word.toUpperCase();
  const same = lower.length === word.length && upperCase.length === word.length;
  const t: TokenInfo = {
    lower: fnv(lower),
    shape: fnv(same ? shapeOf(word, lower, upperCase) : 'Xx'),
    suf2: fnv(lower.slice(-2)),
    suf3: fnv(lower.slice(-3)),
    suf4: fnv(lower.slice(-4)),
    pre3: fnv(lower.slice(0, 3)),
    gaz: gaz.lookup(lower),
    casing: same ? casing(word, lower, upperCase) : 3,
    len: Math.min(word.length, 12),
  };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(word, t);
  return t;
}

/** The five tokens a feature may read: two left, the current one, two right (PAD past the sentence). */
export interface Window {
  p2: TokenInfo;
  p1: TokenInfo;
  t: TokenInfo;
  n1: TokenInfo;
  n2: TokenInfo;
  first: number;
}

export type Offset = -2 | -1 | 0 | 1 | 2;

const gazOrCasing = (t: TokenInfo) => ((t.gaz & ((1 << GAZ_BITS) - 1)) === 0 ? t.casing : 7 + (t.gaz % 7));

/**
 * Feature slots that read a single token at a fixed offset. Their weights depend on that word alone,
 * so the run-time scorer (emission-cache.ts) sums them once per word and offset, not once per token.
 */
export const UNIGRAM_SLOTS: ReadonlyArray<
  readonly [slot: number, offset: Offset, value: (t: TokenInfo) => number]
> = [
  [0, 0, () => 0],
  [1, 0, (t) => t.lower],
  [2, 0, (t) => t.shape],
  [3, 0, (t) => t.suf2],
  [4, 0, (t) => t.suf3],
  [5, 0, (t) => t.suf4],
  [6, 0, (t) => t.pre3],
  [7, -1, (t) => t.lower],
  [8, 1, (t) => t.lower],
  [9, -2, (t) => t.lower],
  [10, 2, (t) => t.lower],
  [11, -1, (t) => t.shape],
  [12, 1, (t) => t.shape],
  [13, 0, (t) => t.gaz],
  [14, -1, (t) => t.gaz],
  [15, 1, (t) => t.gaz],
  [19, 0, (t) => t.gaz * 8 + t.casing],
  [23, 0, (t) => t.len],
  [29, 0, gazOrCasing],
];

/**
 * Buckets of the feature slots that combine tokens (or the sentence position), written to out[at + slot].
 * One straight-line function (no per-slot closures): it runs for every token at scan time.
 */
export function pairBuckets(w: Window, bits: number, out: Int32Array, at: number): void {
  const { p2, p1, t, n1, n2 } = w;
  const shift = 32 - bits;
  out[at + 16] = mix(mix(p1.lower, t.lower) >>> 0, 17) >>> shift;
  out[at + 17] = mix(mix(t.lower, n1.lower) >>> 0, 18) >>> shift;
  out[at + 18] = mix(t.casing * 2 + w.first, 19) >>> shift;
  out[at + 20] = mix(p1.casing * 8 + t.casing, 21) >>> shift;
  out[at + 21] = mix(t.casing * 8 + n1.casing, 22) >>> shift;
  out[at + 22] = mix((mix(p1.gaz, t.gaz) ^ n1.gaz) >>> 0, 23) >>> shift;
  out[at + 24] = mix(mix(p1.lower, t.shape) >>> 0, 25) >>> shift;
  out[at + 25] = mix(mix(t.shape, n1.lower) >>> 0, 26) >>> shift;
  out[at + 26] = mix((p2.gaz * 128 + p1.gaz) >>> 0, 27) >>> shift;
  out[at + 27] = mix((n1.gaz * 128 + n2.gaz) >>> 0, 28) >>> shift;
  out[at + 28] = mix(mix(p1.suf3, t.suf3) >>> 0, 29) >>> shift;
}

/** The slots pairBuckets writes. */
export const PAIR_SLOTS: readonly number[] = [16, 17, 18, 20, 21, 22, 24, 25, 26, 27, 28];

/** The hashed bucket of a feature value in a slot. */
export function bucket(slot: number, value: number, bits: number): number {
  return mix(value >>> 0, slot + 1) >>> (32 - bits);
}

/** Fills `w` with the window around token i (reused object: no allocation per token). */
export function windowAt(w: Window, infos: readonly TokenInfo[], i: number, n: number): Window {
  w.p2 = i > 1 ? infos[i - 2]! : PAD;
  w.p1 = i > 0 ? infos[i - 1]! : PAD;
  w.t = infos[i]!;
  w.n1 = i + 1 < n ? infos[i + 1]! : PAD;
  w.n2 = i + 2 < n ? infos[i + 2]! : PAD;
  w.first = i === 0 ? 1 : 0;
  return w;
}

export function newWindow(): Window {
  return { p2: PAD, p1: PAD, t: PAD, n1: PAD, n2: PAD, first: 0 };
}

/**
 * Feature buckets for every token of a sentence: FEATURES_PER_TOKEN consecutive entries per token
 * (used by the trainer; the run-time scorer uses the same slots through emission-cache.ts).
 * Context features never look past the sentence, so a segment scores the same wherever it appears.
 */
export function extractFeatures(words: readonly string[], gaz: Gazetteer, bits: number): Int32Array {
  const n = words.length;
  const infos: TokenInfo[] = new Array(n);
  for (let i = 0; i < n; i++) infos[i] = info(words[i]!, gaz);
  const out = new Int32Array(n * FEATURES_PER_TOKEN);
  const w = newWindow();
  const at = (o: Offset) => (o === 0 ? w.t : o === -1 ? w.p1 : o === 1 ? w.n1 : o === -2 ? w.p2 : w.n2);
  for (let i = 0; i < n; i++) {
    windowAt(w, infos, i, n);
    const base = i * FEATURES_PER_TOKEN;
    for (const [slot, offset, value] of UNIGRAM_SLOTS)
      out[base + slot] = bucket(slot, value(at(offset)), bits);
    pairBuckets(w, bits, out, base);
  }
  return out;
}
