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

interface TokenInfo {
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

const PAD: TokenInfo = { lower: 1, shape: 2, suf2: 3, suf3: 4, suf4: 5, pre3: 6, gaz: 0, casing: 6, len: 0 };

// Words repeat (Zipf): per-word hashes are computed once and cached, which is most of the feature cost.
const CACHE_LIMIT = 100_000;
const cache = new Map<string, TokenInfo>();
let cachedFor: Gazetteer | undefined;

function info(word: string, gaz: Gazetteer): TokenInfo {
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

/**
 * Feature buckets for every token of a sentence: FEATURES_PER_TOKEN consecutive entries per token.
 * Context features never look past the sentence, so a segment scores the same wherever it appears.
 */
export function extractFeatures(words: readonly string[], gaz: Gazetteer, bits: number): Int32Array {
  const n = words.length;
  const infos: TokenInfo[] = new Array(n);
  for (let i = 0; i < n; i++) infos[i] = info(words[i]!, gaz);
  const out = new Int32Array(n * FEATURES_PER_TOKEN);
  const shift = 32 - bits;
  let k = 0;
  const put = (v: number) => {
    out[k] = mix(v >>> 0, (k % FEATURES_PER_TOKEN) + 1) >>> shift;
    k++;
  };
  for (let i = 0; i < n; i++) {
    const t = infos[i]!;
    const p1 = i > 0 ? infos[i - 1]! : PAD;
    const p2 = i > 1 ? infos[i - 2]! : PAD;
    const n1 = i + 1 < n ? infos[i + 1]! : PAD;
    const n2 = i + 2 < n ? infos[i + 2]! : PAD;
    const first = i === 0 ? 1 : 0;
    k = i * FEATURES_PER_TOKEN;
    put(0);
    put(t.lower);
    put(t.shape);
    put(t.suf2);
    put(t.suf3);
    put(t.suf4);
    put(t.pre3);
    put(p1.lower);
    put(n1.lower);
    put(p2.lower);
    put(n2.lower);
    put(p1.shape);
    put(n1.shape);
    put(t.gaz);
    put(p1.gaz);
    put(n1.gaz);
    put(mix(p1.lower, t.lower));
    put(mix(t.lower, n1.lower));
    put(t.casing * 2 + first);
    put(t.gaz * 8 + t.casing);
    put(p1.casing * 8 + t.casing);
    put(t.casing * 8 + n1.casing);
    put(mix(p1.gaz, t.gaz) ^ n1.gaz);
    put(t.len);
    put(mix(p1.lower, t.shape));
    put(mix(t.shape, n1.lower));
    put(p2.gaz * 128 + p1.gaz);
    put(n1.gaz * 128 + n2.gaz);
    put(mix(p1.suf3, t.suf3));
    put((t.gaz & ((1 << GAZ_BITS) - 1)) === 0 ? t.casing : 7 + (t.gaz % 7));
  }
  return out;
}
