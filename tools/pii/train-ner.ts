// `npm run train:pii`: trains the NER model (structured averaged perceptron) on the public corpora's
// train parts plus noisy/chat-shaped copies, reports dev figures per language and type, and writes
// src/pii/ner/data/ner-model.bin. Inputs: see tools/pii/prepare.sh and docs/pii-model.md.
//   PII_SOURCES=/tmp/pii-data npm run train:pii -- [--epochs 6] [--bits 19] [--no-write]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { extractFeatures, FEATURES_PER_TOKEN } from '../../src/pii/ner/features.ts';
import { Gazetteer, type GazetteerLists } from '../../src/pii/ner/gazetteer.ts';
import {
  confidence,
  emissions,
  encodeModel,
  type NerWeights,
  NUM_TAGS,
  TAGS,
  tagSentence,
  viterbi,
} from '../../src/pii/ner/model.ts';
import { type Lang, loadCorpora, type Sentence } from './corpora.ts';
import { devReport } from './dev-report.ts';
import { fakerLocales, names } from './sources.ts';
import { augment, chatSentences, type NameLists, rng } from './synthetic.ts';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '6' },
    bits: { type: 'string', default: '19' },
    'no-write': { type: 'boolean', default: false },
    synthetic: { type: 'string', default: '2500' },
  },
});
const epochs = Number(values.epochs);
const bits = Number(values.bits);

const TAG_INDEX = new Map<string, number>(TAGS.map((t, i) => [t, i]));

/** Tag indexes with a dangling I- (after filtering) turned into B-. */
function goldOf(s: Sentence): Uint8Array {
  const gold = new Uint8Array(s.tags.length);
  s.tags.forEach((t, i) => {
    let tag = TAG_INDEX.get(t) ?? 0;
    if (tag !== 0 && tag % 2 === 0 && (i === 0 || (gold[i - 1] !== tag && gold[i - 1] !== tag - 1))) tag -= 1;
    gold[i] = tag;
  });
  return gold;
}

async function nameLists(): Promise<NameLists> {
  const faker = await fakerLocales();
  const list = (loc: string, key: 'first_name' | 'last_name') =>
    names(faker[loc]?.rawDefinitions.person?.[key]);
  const cityOf = (locs: string[]) => locs.flatMap((l) => faker[l]?.rawDefinitions.location?.city_name ?? []);
  const foreign = ['fakerTR', 'fakerIT', 'fakerPL', 'fakerES', 'fakerHR', 'fakerPT_PT', 'fakerNL'];
  return {
    first: {
      de: list('fakerDE', 'first_name'),
      en: list('fakerEN_GB', 'first_name'),
      fr: list('fakerFR', 'first_name'),
    },
    last: {
      de: list('fakerDE', 'last_name'),
      en: list('fakerEN_GB', 'last_name'),
      fr: list('fakerFR', 'last_name'),
    },
    city: {
      de: cityOf(['fakerDE', 'fakerDE_AT', 'fakerDE_CH']),
      en: cityOf(['fakerEN_GB', 'fakerEN_US']),
      fr: cityOf(['fakerFR', 'fakerFR_CH']),
    },
    foreignFirst: foreign.flatMap((l) => list(l, 'first_name')),
    foreignLast: foreign.flatMap((l) => list(l, 'last_name')),
  };
}

function train(data: Sentence[], gaz: Gazetteer): NerWeights {
  const size = (1 << bits) * NUM_TAGS;
  const w: NerWeights = {
    bits,
    emit: new Float32Array(size),
    scale: 1,
    trans: new Float32Array((NUM_TAGS + 1) * NUM_TAGS),
    temperature: 1,
    bias: new Float32Array(NUM_TAGS),
  };
  const uEmit = new Float32Array(size);
  const uTrans = new Float32Array(w.trans.length);
  const prepared = data.map((s) => ({
    feats: extractFeatures(s.words, gaz, bits),
    gold: goldOf(s),
    n: s.words.length,
  }));
  const r = rng(17);
  let c = 1;
  const emit = w.emit as Float32Array;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = prepared.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let errors = 0;
    for (const idx of order) {
      const { feats, gold, n } = prepared[idx]!;
      const pred = viterbi(w, emissions(w, feats, n), n);
      let wrong = false;
      for (let i = 0; i < n; i++) {
        const prevGold = i === 0 ? NUM_TAGS : gold[i - 1]!;
        const prevPred = i === 0 ? NUM_TAGS : pred[i - 1]!;
        if (gold[i] === pred[i] && prevGold === prevPred) continue;
        wrong = true;
        if (gold[i] !== pred[i]) {
          for (let k = 0; k < FEATURES_PER_TOKEN; k++) {
            const b = feats[i * FEATURES_PER_TOKEN + k]! * NUM_TAGS;
            emit[b + gold[i]!]! += 1;
            uEmit[b + gold[i]!]! += c;
            emit[b + pred[i]!]! -= 1;
            uEmit[b + pred[i]!]! -= c;
          }
        }
        w.trans[prevGold * NUM_TAGS + gold[i]!]! += 1;
        uTrans[prevGold * NUM_TAGS + gold[i]!]! += c;
        w.trans[prevPred * NUM_TAGS + pred[i]!]! -= 1;
        uTrans[prevPred * NUM_TAGS + pred[i]!]! -= c;
      }
      if (wrong) errors++;
      c++;
    }
    process.stderr.write(`epoch ${epoch + 1}: ${errors} of ${order.length} sentences wrong\n`);
  }
  for (let i = 0; i < size; i++) emit[i] = emit[i]! - uEmit[i]! / c;
  for (let i = 0; i < w.trans.length; i++) w.trans[i] = w.trans[i]! - uTrans[i]! / c;
  return w;
}

/** The temperature with the lowest negative log-likelihood of the dev tokens' gold tags. */
function fitTemperature(w: NerWeights, g: Gazetteer, sentences: Sentence[]): number {
  let best = 1;
  let bestLoss = Infinity;
  const prepared = sentences.map((s) => {
    const n = s.words.length;
    return { scores: emissions(w, extractFeatures(s.words, g, w.bits), n), gold: goldOf(s), n };
  });
  for (const t of [1, 2, 3, 5, 8, 12, 18, 27, 40, 60]) {
    w.temperature = t;
    let loss = 0;
    for (const { scores, gold, n } of prepared)
      for (let i = 0; i < n; i++)
        loss -= Math.log(
          Math.max(1e-9, confidence(w, scores, i, i === 0 ? NUM_TAGS : gold[i - 1]!, gold[i]!)),
        );
    if (loss < bestLoss) {
      bestLoss = loss;
      best = t;
    }
  }
  process.stderr.write(`temperature ${best}\n`);
  return best;
}

/** Dev F-beta of one label (exact token spans) under the current weights. */
function devF(w: NerWeights, g: Gazetteer, sentences: Sentence[], label: string, beta: number): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const s of sentences) {
    const gold = new Set<string>();
    const tags = goldOf(s);
    for (let i = 0; i < tags.length; i++) {
      if (TAGS[tags[i]!] !== `B-${label}`) continue;
      let j = i + 1;
      while (j < tags.length && TAGS[tags[j]!] === `I-${label}`) j++;
      gold.add(`${i}:${j}`);
    }
    for (const p of tagSentence(w, g, s.words)) {
      if (p.label !== label) continue;
      if (gold.delete(`${p.from}:${p.to}`)) tp++;
      else fp++;
    }
    fn += gold.size;
  }
  const b2 = beta * beta;
  return tp === 0 ? 0 : ((1 + b2) * tp) / ((1 + b2) * tp + b2 * fn + fp);
}

/**
 * Offset on the B-PER/I-PER scores that maximises the mean of German dev F1 and English dev F2, the
 * measures of the two name targets (German news F1, English customer-text F2: recall weighted,
 * a missed name is a leak). Places and organisations are not personal data on their own and keep
 * offset 0 (precision first).
 */
const byLang = (xs: Sentence[], lang: Lang) => xs.filter((s) => s.lang === lang);

function fitBias(w: NerWeights, g: Gazetteer, sentences: Sentence[]): void {
  for (const [k, label] of ['PER'].entries()) {
    let best = 0;
    let bestScore = -1;
    for (const step of [0, 1, 2, 3, 4, 6, 8]) {
      const b = (step * w.temperature) / 4;
      w.bias[1 + 2 * k] = b;
      w.bias[2 + 2 * k] = b;
      const score =
        (devF(w, g, byLang(sentences, 'de'), label, 1) + devF(w, g, byLang(sentences, 'en'), label, 2)) / 2;
      if (score > bestScore) {
        bestScore = score;
        best = b;
      }
    }
    w.bias[1 + 2 * k] = best;
    w.bias[2 + 2 * k] = best;
    process.stderr.write(`bias ${label} ${best} (mean of de F1 and en F2 ${bestScore.toFixed(3)})\n`);
  }
}

const t0 = performance.now();
const { train: corpusTrain, dev, missing } = loadCorpora();
if (missing.length > 0) process.stderr.write(`missing corpus files (skipped): ${missing.join(', ')}\n`);
const lists = JSON.parse(
  (await import('node:fs')).readFileSync(
    new URL('../../src/pii/ner/data/gazetteers.json', import.meta.url),
    'utf8',
  ),
) as GazetteerLists;
const gaz = new Gazetteer(lists);
const r = rng(5);
const noisy = corpusTrain.map((s) => augment(s, r)).filter((s): s is Sentence => s !== null);
const synthetic = chatSentences(await nameLists(), Number(values.synthetic), 11);
const data = [...corpusTrain, ...noisy, ...synthetic];
const count = (xs: Sentence[], lang: Lang) => xs.filter((s) => s.lang === lang).length;
process.stderr.write(
  `train: ${corpusTrain.length} corpus (de ${count(corpusTrain, 'de')}, en ${count(corpusTrain, 'en')}), ` +
    `${noisy.length} noisy copies, ${synthetic.length} synthetic chat; dev: ${dev.length}\n`,
);
const weights = train(data, gaz);
weights.temperature = fitTemperature(weights, gaz, dev);
fitBias(weights, gaz, dev);
const seconds = Math.round((performance.now() - t0) / 100) / 10;
const report = { trainSeconds: seconds, bits, epochs, dev: devReport(weights, gaz, dev) };
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
if (!values['no-write']) {
  const buf = encodeModel(weights);
  writeFileSync(new URL('../../src/pii/ner/data/ner-model.bin', import.meta.url), buf);
  process.stderr.write(`wrote ner-model.bin (${(buf.length / 1e6).toFixed(1)} MB)\n`);
}
