// CoNLL/IOB input for `npm run eval:pii -- --conll FILE --lang de [--holdout 30]`: sentences become
// samples (tokens joined by spaces), PER/LOC/ORG-like labels become PERSON/LOCATION/ORGANIZATION spans.
// --holdout P keeps only the P% of sentences that `npm run train:pii` held out as dev for that file.

import type { GoldSpan, Sample } from '../src/pii/evaluate.ts';
import type { EntityType, Lang } from '../src/pii/index.ts';

const LABELS: Record<string, EntityType> = {
  PER: 'PERSON',
  PERSON: 'PERSON',
  RR: 'PERSON',
  AN: 'PERSON',
  LOC: 'LOCATION',
  LOCATION: 'LOCATION',
  GPE: 'LOCATION',
  'LOCATION-CITY': 'LOCATION',
  'LOCATION-STREET': 'LOCATION',
  'LOCATION-STOP': 'LOCATION',
  ORG: 'ORGANIZATION',
  ORGANIZATION: 'ORGANIZATION',
  'ORGANIZATION-COMPANY': 'ORGANIZATION',
  CORPORATION: 'ORGANIZATION',
  GROUP: 'ORGANIZATION',
};

/** The same deterministic selection as tools/pii/corpora.ts. */
export function isHeldOut(index: number, percent: number): boolean {
  return (Math.imul(index + 1, 2654435761) >>> 0) % 100 < percent;
}

function columns(line: string): { word: string; tag: string } | null {
  const cols = line.split(/\t| /).filter((c) => c !== '');
  if (cols.length < 2) return null;
  // GermEval/UNER put an index first and the tag third/second; plain CoNLL has the tag last.
  if (/^\d+$/.test(cols[0]!) && cols.length >= 3) return { word: cols[1]!, tag: cols[2]! };
  return { word: cols[0]!, tag: cols[cols.length - 1]! };
}

export function parseConll(text: string, lang: Lang, holdout?: number): Sample[] {
  const sentences: Array<Array<{ word: string; tag: string }>> = [];
  let cur: Array<{ word: string; tag: string }> = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# ') || line.startsWith('-DOCSTART-')) continue;
    const c = line.trim() === '' ? null : columns(line);
    if (c) cur.push(c);
    else if (cur.length > 0) {
      sentences.push(cur);
      cur = [];
    }
  }
  if (cur.length > 0) sentences.push(cur);
  const samples: Sample[] = [];
  sentences.forEach((tokens, index) => {
    if (holdout !== undefined && !isHeldOut(index, holdout)) return;
    let text = '';
    const spans: GoldSpan[] = [];
    const state: { open: GoldSpan | null } = { open: null };
    for (const { word, tag } of tokens) {
      const start = text.length === 0 ? 0 : text.length + 1;
      text = text.length === 0 ? word : `${text} ${word}`;
      const m = /^([BI])-(.+)$/.exec(tag);
      const type = m ? LABELS[m[2]!.toUpperCase()] : undefined;
      const open = state.open;
      if (type && m![1] === 'I' && open && open.type === type) open.end = text.length;
      else {
        state.open = type ? { start, end: text.length, type } : null;
        if (state.open) spans.push(state.open);
      }
    }
    samples.push({ text, lang, spans });
  });
  return samples;
}

export const CONLL_TYPES: readonly EntityType[] = ['PERSON', 'LOCATION', 'ORGANIZATION'];
