// Language of a customer message from common function words (no model, no dependency): enough to
// choose between the languages Vigil translates, and honest about not knowing (null).
import type { Language } from './provider.ts';

const STOPWORDS: Record<Language, readonly string[]> = {
  de: 'der die das und ist ich nicht ein eine mit auf für sie es zu den dem von sich auch wie mein meine bitte ihr ihre wir haben habe hallo danke guten tag bei mir mich können kann wurde noch aber oder über'.split(
    ' ',
  ),
  en: 'the and is i not a an with on for you it to of my me please your we have has hello thanks thank this that was are be can could would will but or about what from'.split(
    ' ',
  ),
  es: 'el la los las y es yo no un una con en para usted ustedes lo de mi me por favor su nosotros tengo tiene hola gracias este esta que fue son puede pero o sobre qué del al se le mañana'.split(
    ' ',
  ),
  fr: 'le la les et est je ne pas un une avec sur pour vous il elle de du mon ma mes moi merci votre nous ai avez bonjour ce cette qui que était sont peut mais ou des au aux'.split(
    ' ',
  ),
};
const SETS = Object.fromEntries(Object.entries(STOPWORDS).map(([l, w]) => [l, new Set(w)])) as Record<
  Language,
  Set<string>
>;

/** Distinctive letters add a little weight (ß/ä/ö/ü, ñ/¿/¡, ç/è/ê/à). */
const LETTERS: Record<Language, RegExp> = { de: /[ßäöü]/g, en: /(?!)/g, es: /[ñ¿¡]/g, fr: /[çèêàù]/g };

export interface Detection {
  language: Language | null;
  /** Share of the winning language's hits among all hits (0..1). */
  confidence: number;
}

export function detectLanguage(text: string): Detection {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  const score: Record<Language, number> = { de: 0, en: 0, es: 0, fr: 0 };
  for (const w of words) for (const l of Object.keys(SETS) as Language[]) if (SETS[l].has(w)) score[l] += 1;
  for (const l of Object.keys(LETTERS) as Language[]) score[l] += 0.5 * (text.match(LETTERS[l])?.length ?? 0);
  const ranked = (Object.entries(score) as Array<[Language, number]>).sort((a, b) => b[1] - a[1]);
  const [best, second] = ranked as [[Language, number], [Language, number]];
  const total = ranked.reduce((s, [, n]) => s + n, 0);
  if (best[1] < 1 || best[1] === second[1]) return { language: null, confidence: 0 };
  return { language: best[0], confidence: Math.round((best[1] / total) * 100) / 100 };
}
