import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { segments, tokenize } from '../../src/pii/ner/tokens.ts';
import { CORPORA_DIR } from './sources.ts';

// Readers for the public NER corpora (CoNLL/IOB columns), with their labels mapped to PER/LOC/ORG.
// Only train and dev files are ever read; see docs/pii-model.md for each file's source and licence.

export type Lang = 'de' | 'en' | 'fr';

export interface Sentence {
  words: string[];
  /** BIO tags over PER, LOC, ORG ('O' otherwise). */
  tags: string[];
  lang: Lang;
  source: string;
}

type LabelMap = (label: string) => 'PER' | 'LOC' | 'ORG' | null;

/** Reads CoNLL-style columns: token in `wordCol`, BIO tag in `tagCol` (negative counts from the end). */
export function readColumns(
  text: string,
  opts: { wordCol: number; tagCol: number; map: LabelMap; lang: Lang; source: string },
): Sentence[] {
  const out: Sentence[] = [];
  let words: string[] = [];
  let tags: string[] = [];
  const flush = () => {
    if (words.length > 0) out.push({ words, tags, lang: opts.lang, source: opts.source });
    words = [];
    tags = [];
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('# ') || line.startsWith('-DOCSTART-')) continue;
    const cols = line.trim() === '' ? [] : line.split(/\t| /);
    if (cols.length < 2) {
      flush();
      continue;
    }
    const pick = (c: number) => cols[c < 0 ? cols.length + c : c] ?? 'O';
    const word = pick(opts.wordCol);
    const raw = pick(opts.tagCol);
    const m = /^([BI])-(.+)$/.exec(raw);
    const label = m ? opts.map(m[2]!) : null;
    if (!label) tags.push('O');
    else {
      // A B- of a dropped type followed by I- of a kept one would leave a dangling I-: start a span there.
      const prev = tags[tags.length - 1];
      tags.push(
        m![1] === 'I' && (prev === `B-${label}` || prev === `I-${label}`) ? `I-${label}` : `B-${label}`,
      );
    }
    words.push(word);
  }
  flush();
  return out;
}

const germeval: LabelMap = (l) => (l === 'PER' || l === 'LOC' || l === 'ORG' ? l : null);
const ler: LabelMap = (l) =>
  ['PER', 'RR', 'AN'].includes(l)
    ? 'PER'
    : ['LD', 'ST', 'STR', 'LDS'].includes(l)
      ? 'LOC'
      : ['ORG', 'UN', 'INN', 'GRT', 'MRK'].includes(l)
        ? 'ORG'
        : null;
const mobie: LabelMap = (l) =>
  l === 'person'
    ? 'PER'
    : l.startsWith('location') && l !== 'location-route'
      ? 'LOC'
      : l.startsWith('organization')
        ? 'ORG'
        : null;
const wnut: LabelMap = (l) =>
  l === 'person' ? 'PER' : l === 'location' ? 'LOC' : l === 'corporation' || l === 'group' ? 'ORG' : null;
const uner: LabelMap = (l) => (l === 'PER' || l === 'LOC' || l === 'ORG' ? l : null);

interface CorpusFile {
  file: string;
  lang: Lang;
  wordCol: number;
  tagCol: number;
  map: LabelMap;
  /** Percent of sentences held out as this project's dev set (chosen by sentence index, deterministic). */
  devPercent: number;
}

export const CORPUS_FILES: readonly CorpusFile[] = [
  { file: 'germeval-dev.tsv', lang: 'de', wordCol: 1, tagCol: 2, map: germeval, devPercent: 30 },
  { file: 'ler-dev.conll', lang: 'de', wordCol: 0, tagCol: -1, map: ler, devPercent: 0 },
  { file: 'mobie/train.conll2003', lang: 'de', wordCol: 0, tagCol: -1, map: mobie, devPercent: 0 },
  { file: 'mobie/dev.conll2003', lang: 'de', wordCol: 0, tagCol: -1, map: mobie, devPercent: 100 },
  { file: 'wnut17-train.conll', lang: 'en', wordCol: 0, tagCol: -1, map: wnut, devPercent: 0 },
  { file: 'uner-en-ewt-dev.iob2', lang: 'en', wordCol: 1, tagCol: 2, map: uner, devPercent: 30 },
  { file: 'uner-en-ewt-train.iob2', lang: 'en', wordCol: 1, tagCol: 2, map: uner, devPercent: 0 },
  { file: 'conll2003-en-train.txt', lang: 'en', wordCol: 0, tagCol: -1, map: uner, devPercent: 0 },
  // Europeana Newspapers (OCR'd historical newspapers): whole corpora, no official split; 10 % held out.
  { file: 'enp_DE.lft.bio', lang: 'de', wordCol: 0, tagCol: -1, map: uner, devPercent: 10 },
  { file: 'enp_DE.onb.bio', lang: 'de', wordCol: 0, tagCol: -1, map: uner, devPercent: 10 },
  { file: 'enp_DE.sbb.bio', lang: 'de', wordCol: 0, tagCol: -1, map: uner, devPercent: 10 },
  { file: 'enp_FR.bnf.bio', lang: 'fr', wordCol: 0, tagCol: -1, map: uner, devPercent: 10 },
];

function isDev(index: number, percent: number): boolean {
  return (Math.imul(index + 1, 2654435761) >>> 0) % 100 < percent;
}

interface SmartDataDoc {
  text: { string: string };
  conceptMentions: { array: Array<{ span: { start: number; end: number }; type: string }> } | null;
}

/** DFKI SmartData (JSON documents with character-offset mentions): tokenized here, split into sentences. */
export function readSmartData(gz: Buffer, source: string): Sentence[] {
  // Concatenated pretty-printed JSON objects, one per document.
  const docs = gunzipSync(gz)
    .toString('utf8')
    .trim()
    .split(/\n(?=\{)/)
    .map((d) => JSON.parse(d) as SmartDataDoc);
  const out: Sentence[] = [];
  for (const doc of docs) {
    const text = doc.text.string;
    const tokens = tokenize(text);
    const tags = tokens.map(() => 'O');
    for (const m of doc.conceptMentions?.array ?? []) {
      const label = mobie(m.type);
      if (!label) continue;
      let first = true;
      tokens.forEach((t, i) => {
        if (t.start >= m.span.start && t.end <= m.span.end) {
          tags[i] = `${first ? 'B' : 'I'}-${label}`;
          first = false;
        }
      });
    }
    for (const [from, to] of segments(text, tokens)) {
      out.push({
        words: tokens.slice(from, to).map((t) => t.text),
        tags: tags.slice(from, to),
        lang: 'de',
        source,
      });
    }
  }
  return out;
}

export function loadCorpora(): { train: Sentence[]; dev: Sentence[]; missing: string[] } {
  const train: Sentence[] = [];
  const dev: Sentence[] = [];
  const missing: string[] = [];
  for (const c of CORPUS_FILES) {
    const path = join(CORPORA_DIR, c.file);
    if (!existsSync(path)) {
      missing.push(c.file);
      continue;
    }
    const sentences = readColumns(readFileSync(path, 'utf8'), { ...c, source: c.file });
    sentences.forEach((s, i) => {
      (isDev(i, c.devPercent) ? dev : train).push(s);
    });
  }
  const smart = join(CORPORA_DIR, 'smartdata-v1-train.json.gz');
  if (existsSync(smart)) train.push(...readSmartData(readFileSync(smart), 'smartdata-v1-train'));
  else missing.push('smartdata-v1-train.json.gz');
  return { train, dev, missing };
}
