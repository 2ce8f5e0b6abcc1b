// The console's dictionaries (de, en, fr) carry the same keys and the same {placeholders}: a key
// added to one language only, or a placeholder lost in translation, fails CI here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '../../web/src/i18n');
const LOCALES = ['de', 'en', 'fr'] as const;
const load = (l: string) =>
  JSON.parse(readFileSync(join(DIR, `${l}.json`), 'utf8')) as Record<string, string>;
const dictionaries = Object.fromEntries(LOCALES.map((l) => [l, load(l)])) as Record<
  (typeof LOCALES)[number],
  Record<string, string>
>;
const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('console translations', () => {
  for (const a of LOCALES)
    for (const b of LOCALES) {
      if (a === b) continue;
      it(`${a} has every key of ${b}`, () => {
        const missing = Object.keys(dictionaries[b]).filter((k) => !(k in dictionaries[a]));
        expect(missing).toEqual([]);
      });
    }

  it('every translation keeps the placeholders of the English text', () => {
    const broken: string[] = [];
    for (const [key, text] of Object.entries(dictionaries.en))
      for (const l of ['de', 'fr'] as const)
        if (JSON.stringify(vars(dictionaries[l][key] ?? '')) !== JSON.stringify(vars(text)))
          broken.push(`${l}:${key}`);
    expect(broken).toEqual([]);
  });

  it('no translation is empty', () => {
    const empty = LOCALES.flatMap((l) =>
      Object.entries(dictionaries[l])
        .filter(([, v]) => !v.trim())
        .map(([k]) => `${l}:${k}`),
    );
    expect(empty).toEqual([]);
  });

  it('the console offers French', () => {
    const index = readFileSync(join(DIR, 'index.tsx'), 'utf8');
    expect(index).toMatch(/LOCALES: Locale\[\] = \[[^\]]*'fr'/);
  });
});
