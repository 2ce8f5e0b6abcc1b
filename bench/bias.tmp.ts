import { readFileSync } from 'node:fs';
import { evaluate } from '../src/pii/evaluate.ts';
import { scanText } from '../src/pii/scan.ts';
import { loadNer } from '../src/pii/ner/model.ts';
import { parseConll } from './pii-conll.ts';
const C = '/tmp/pii-data/corpora/';
const de = parseConll(readFileSync(C + 'germeval-dev.tsv', 'utf8'), 'de', 30);
const en = parseConll(readFileSync(C + 'uner-en-ewt-dev.iob2', 'utf8'), 'en', 30);
const w = loadNer().weights;
const orig = w.bias[1]!;
for (const b of [0, 4.5, 9, 13.5, 18]) {
  w.bias[1] = b; w.bias[2] = b;
  const f = async (s: typeof de) => (await evaluate(s, (x) => scanText(x.text, { lang: x.lang }).filter((p) => p.type === 'PERSON'))).perEntity.PERSON!;
  const d = await f(de), e = await f(en);
  console.log(b, 'de P/R/F1', d.precision.toFixed(3), d.recall.toFixed(3), d.f1.toFixed(3), 'en P/R/F2', e.precision.toFixed(3), e.recall.toFixed(3), e.f2.toFixed(3));
}
console.log('orig', orig);
