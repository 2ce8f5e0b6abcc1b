// Tokenization shared by training (tools/pii) and run time, so features see the same units.
// A token is a word (letters with inner apostrophes, hyphens or dots: "O'Brien", "Hans-Peter"), a digit
// run, or one other non-space character. `brk` marks a token that starts a new sentence-like segment.

export interface Token {
  start: number;
  end: number;
  text: string;
}

const TOKEN = /[\p{L}\p{M}]+(?:['’-][\p{L}\p{M}]+)*\.?|\p{N}+|[^\s\p{L}\p{N}]/gu;
const ABBREV_DOT = /^(?:[\p{Lu}]|dr|mr|mrs|ms|st|str|nr|prof|hr|fr|mme|mlle|bd|av)\.$/iu;

/** Tokens with UTF-16 offsets; a trailing dot stays on the word only for abbreviations ("Dr.", "Str."). */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    let word = m[0];
    const start = m.index;
    if (word.length > 1 && word.endsWith('.') && !ABBREV_DOT.test(word)) {
      word = word.slice(0, -1);
      out.push({ start, end: start + word.length, text: word });
      out.push({ start: start + word.length, end: start + word.length + 1, text: '.' });
      continue;
    }
    out.push({ start, end: start + word.length, text: word });
  }
  return out;
}

const SENTENCE_END = new Set(['.', '!', '?', ':', ';']);

function hasLineBreak(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) return true;
  return false;
}

/** Splits token indexes into segments at sentence punctuation and line breaks, at most `max` tokens each. */
export function segments(text: string, tokens: readonly Token[], max = 80): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let from = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    const lineBreak = next !== undefined && hasLineBreak(text, t.end, next.start);
    if (SENTENCE_END.has(t.text) || lineBreak || i + 1 - from >= max) {
      out.push([from, i + 1]);
      from = i + 1;
    }
  }
  if (from < tokens.length) out.push([from, tokens.length]);
  return out;
}
