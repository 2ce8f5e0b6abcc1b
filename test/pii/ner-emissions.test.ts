import { describe, expect, it } from 'vitest';
import { sentenceEmissions } from '../../src/pii/ner/emission-cache.ts';
import { extractFeatures } from '../../src/pii/ner/features.ts';
import { emissions, loadNer } from '../../src/pii/ner/model.ts';
import { tokenize } from '../../src/pii/ner/tokens.ts';

// The run-time scorer caches per-word weight sums and reuses its buffers; it must score every sentence
// exactly as the trainer's path (all 30 feature lookups per token) does, whatever was scored before.

const SENTENCES = [
  'Gestern sagte Angela Merkel in Berlin, dass die Deutsche Bahn pünktlicher werden soll.',
  'hi ich bin anna schmidt aus köln und meine nummer kennt ihr',
  "MY NAME IS JOHN O'BRIEN AND I LIVE IN LEEDS",
  'Bonjour, je suis Marie Dupont de Lyon.',
  'ok',
  'A',
  'The order 12345 was shipped to 221B Baker Street, London NW1 6XE by Royal Mail on Monday morning.',
];

function words(text: string): string[] {
  return tokenize(text).map((t) => t.text);
}

describe('cached emission scores', () => {
  it('equal the full feature path for every sentence, in any order', () => {
    const { weights, gazetteer } = loadNer();
    const order = [...SENTENCES, ...SENTENCES.slice().reverse(), ...SENTENCES];
    for (const text of order) {
      const w = words(text);
      const full = emissions(weights, extractFeatures(w, gazetteer, weights.bits), w.length);
      expect(Array.from(sentenceEmissions(weights, gazetteer, w))).toEqual(Array.from(full));
    }
  });
});
