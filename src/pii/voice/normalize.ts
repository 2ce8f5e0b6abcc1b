import {
  FILLERS,
  NATO,
  NUMBER_WORDS,
  PLUS_WORDS,
  REPEATERS,
  SPELLING_CONNECTORS,
  WEAK_DIGITS,
} from './vocabulary.ts';

// Turns spoken numbers in a transcript into digit/letter strings with an offset map back to the
// original, so the validated recognizers can run on "null eins sieben eins ..." as "0171...".
// Two renderings: `grouped` keeps a space wherever the speaker paused (comma, filler), `compact`
// glues each spoken run together; ids spoken in arbitrary chunks only match the latter.

export interface MappedText {
  text: string;
  /** Original start/end offset for every UTF-16 unit of `text`. */
  starts: Int32Array;
  ends: Int32Array;
}

interface Token {
  start: number;
  end: number;
  word: string;
}

interface Emit {
  chars: string;
  start: number;
  end: number;
  /** A pause (filler, comma) or a letter/digit switch precedes this emission. */
  pause: boolean;
}

const TOKEN = /[\p{L}\p{N}'’]+(?:-[\p{L}\p{N}]+){0,4}|[^\s]/gu;
const BREAKING_PUNCT = /^[!?:;()"“”„«»]$/;
const MIN_RUN_CHARS = 6;
const MAX_JOIN = 4;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    tokens.push({ start: m.index, end: m.index + m[0].length, word: m[0] });
  }
  return tokens;
}

const key = (w: string) => w.toLowerCase().replace(/[-’']/g, '');

/** Longest run of up to MAX_JOIN tokens that spells one number ("vingt et un", "twenty one"). */
function numberAt(tokens: Token[], i: number): { value: string; next: number } | undefined {
  let joined = '';
  let found: { value: string; next: number } | undefined;
  for (let j = i; j < tokens.length && j < i + MAX_JOIN; j++) {
    joined += key(tokens[j]!.word);
    const value = NUMBER_WORDS.get(joined);
    if (value !== undefined) found = { value, next: j + 1 };
  }
  return found;
}

/** A letter spelled as "A wie Anton" / "B as in Bravo" / "D comme Denise" / "Delta" / "D". */
function letterAt(tokens: Token[], i: number, inRun = false): { value: string; next: number } | undefined {
  const w = tokens[i]!.word;
  if (/^\p{L}$/u.test(w)) {
    const c1 = tokens[i + 1]?.word.toLowerCase();
    const c2 = tokens[i + 2]?.word.toLowerCase();
    if (c1 && SPELLING_CONNECTORS.has(c1) && tokens[i + 2]) return { value: w.toUpperCase(), next: i + 3 };
    if (c1 === 'as' && c2 === 'in' && tokens[i + 3]) return { value: w.toUpperCase(), next: i + 4 };
    // Bare single letters only when upper-case; "I" only inside a run (else it is the pronoun).
    if (/^[A-Z]$/.test(w) && (w !== 'I' || inRun)) return { value: w, next: i + 1 };
    return undefined;
  }
  const nato = NATO.get(w.toLowerCase());
  return nato ? { value: nato, next: i + 1 } : undefined;
}

/** Collects the emissions of the spoken run starting at token i; returns them and the next index. */
function readRun(tokens: Token[], i: number): { emits: Emit[]; next: number } {
  const emits: Emit[] = [];
  let pause = false;
  let repeat = 1;
  let j = i;
  let lastKind: 'digit' | 'letter' | '' = '';
  while (j < tokens.length) {
    const t = tokens[j]!;
    const lower = t.word.toLowerCase();
    if (
      emits.length > 0 &&
      (FILLERS.has(lower) || lower === ',' || lower === '.' || lower === '-' || lower === '…')
    ) {
      pause = true;
      j++;
      continue;
    }
    if (REPEATERS.has(lower)) {
      repeat = REPEATERS.get(lower)!;
      j++;
      continue;
    }
    if (emits.length === 0 && PLUS_WORDS.has(lower)) {
      emits.push({ chars: '+', start: t.start, end: t.end, pause: false });
      j++;
      continue;
    }
    let value: string | undefined;
    let next = j + 1;
    let kind: 'digit' | 'letter' = 'digit';
    if (/^\d{1,19}$/.test(t.word)) value = t.word;
    else if (/^[A-Z]$/.test(t.word) && letterAt(tokens, j, lastKind !== '')) {
      // An upper-case single letter is spelled, never the weak digit "o".
      ({ value, next } = letterAt(tokens, j, lastKind !== '')!);
      kind = 'letter';
    } else {
      const n = numberAt(tokens, j);
      if (n) ({ value, next } = n);
      else if (
        WEAK_DIGITS.has(lower) &&
        (lastKind === 'digit' || (lower.startsWith('o') && tokens[j + 1] && numberAt(tokens, j + 1)))
      ) {
        // "oh seven nine ..." opens a number; a lone "Oh," does not.
        value = WEAK_DIGITS.get(lower);
      } else {
        const l = letterAt(tokens, j);
        if (l) {
          ({ value, next } = l);
          kind = 'letter';
        }
      }
    }
    if (value === undefined || BREAKING_PUNCT.test(t.word)) break;
    if (repeat > 1 && value.length === 1) value = value.repeat(repeat);
    repeat = 1;
    const end = tokens[next - 1]!.end;
    emits.push({ chars: value, start: t.start, end, pause: pause || (lastKind !== '' && lastKind !== kind) });
    lastKind = kind;
    pause = false;
    j = next;
  }
  // Trailing fillers/punctuation are not part of the run.
  return { emits, next: emits.length > 0 ? j : i + 1 };
}

class Builder {
  private chars: string[] = [];
  private starts: number[] = [];
  private ends: number[] = [];
  push(s: string, start: number, end: number): void {
    for (const c of s) {
      for (let k = 0; k < c.length; k++) {
        this.chars.push(c[k]!);
        this.starts.push(start);
        this.ends.push(end);
      }
    }
  }
  copy(text: string, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      this.chars.push(text[i]!);
      this.starts.push(i);
      this.ends.push(i + 1);
    }
  }
  build(): MappedText {
    return {
      text: this.chars.join(''),
      starts: Int32Array.from(this.starts),
      ends: Int32Array.from(this.ends),
    };
  }
}

/** Returns null when the transcript holds no spoken run long enough to matter. */
export function normalizeTranscript(text: string): { grouped: MappedText; compact: MappedText } | null {
  const tokens = tokenize(text);
  const grouped = new Builder();
  const compact = new Builder();
  let copied = 0;
  let found = false;
  for (let i = 0; i < tokens.length; ) {
    const { emits, next } = readRun(tokens, i);
    const length = emits.reduce((n, e) => n + e.chars.length, 0);
    if (length >= MIN_RUN_CHARS) {
      found = true;
      const runStart = emits[0]!.start;
      grouped.copy(text, copied, runStart);
      compact.copy(text, copied, runStart);
      let prevEnd = runStart;
      for (const e of emits) {
        if (e.pause && prevEnd !== runStart) grouped.push(' ', prevEnd, prevEnd);
        grouped.push(e.chars, e.start, e.end);
        compact.push(e.chars, e.start, e.end);
        prevEnd = e.end;
      }
      copied = prevEnd;
    }
    i = next;
  }
  if (!found) return null;
  grouped.copy(text, copied, text.length);
  compact.copy(text, copied, text.length);
  return { grouped: grouped.build(), compact: compact.build() };
}

/** Maps a span in a normalized text back to original offsets. */
export function mapBack(m: MappedText, start: number, end: number): { start: number; end: number } {
  return { start: m.starts[start]!, end: m.ends[end - 1]! };
}
