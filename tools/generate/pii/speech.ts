import type { Lang } from '../../../src/pii/types.ts';
import type { Rng } from './random.ts';

// Renders identifiers the way callers say them: digit by digit with pauses and fillers, French
// phone numbers in pairs, letters via spelling alphabets ("D wie Dora", "W as in Whiskey", NATO).

const DIGIT_WORDS: Record<Lang, readonly string[]> = {
  de: ['null', 'eins', 'zwei', 'drei', 'vier', 'fünf', 'sechs', 'sieben', 'acht', 'neun'],
  en: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
  fr: ['zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf'],
};
const FR_PAIRS_TENS = [
  '',
  'dix',
  'vingt',
  'trente',
  'quarante',
  'cinquante',
  'soixante',
  'soixante',
  'quatre-vingt',
  'quatre-vingt',
];
const FR_TEENS = [
  'dix',
  'onze',
  'douze',
  'treize',
  'quatorze',
  'quinze',
  'seize',
  'dix-sept',
  'dix-huit',
  'dix-neuf',
];
const FILLERS: Record<Lang, readonly string[]> = {
  de: [', ', ', äh, ', ' äh ', ', also ', ' ', ' '],
  en: [', ', ', um, ', ' uh ', ', ', ' ', ' '],
  fr: [', ', ', euh, ', ' euh ', ', ', ' ', ' '],
};
const NATO = [
  'Alpha',
  'Bravo',
  'Charlie',
  'Delta',
  'Echo',
  'Foxtrot',
  'Golf',
  'Hotel',
  'India',
  'Juliett',
  'Kilo',
  'Lima',
  'Mike',
  'November',
  'Oscar',
  'Papa',
  'Quebec',
  'Romeo',
  'Sierra',
  'Tango',
  'Uniform',
  'Victor',
  'Whiskey',
  'X-ray',
  'Yankee',
  'Zulu',
];
const DIN = [
  'Anton',
  'Berta',
  'Cäsar',
  'Dora',
  'Emil',
  'Friedrich',
  'Gustav',
  'Heinrich',
  'Ida',
  'Julius',
  'Kaufmann',
  'Ludwig',
  'Martha',
  'Nordpol',
  'Otto',
  'Paula',
  'Quelle',
  'Richard',
  'Samuel',
  'Theodor',
  'Ulrich',
  'Viktor',
  'Wilhelm',
  'Xanthippe',
  'Ypsilon',
  'Zacharias',
];
const FR_ALPHA = [
  'Anatole',
  'Berthe',
  'Célestin',
  'Désiré',
  'Eugène',
  'François',
  'Gaston',
  'Henri',
  'Irma',
  'Joseph',
  'Kléber',
  'Louis',
  'Marcel',
  'Nicolas',
  'Oscar',
  'Pierre',
  'Quintal',
  'Raoul',
  'Suzanne',
  'Thérèse',
  'Ursule',
  'Victor',
  'William',
  'Xavier',
  'Yvonne',
  'Zoé',
];

export function frPair(n: number): string {
  const tens = Math.floor(n / 10);
  const unit = n % 10;
  if (n < 10) return DIGIT_WORDS.fr[n]!;
  if (n < 20) return FR_TEENS[unit]!;
  if (tens === 7 || tens === 9)
    return `${FR_PAIRS_TENS[tens]}-${unit === 1 && tens === 7 ? 'et-onze' : FR_TEENS[unit]}`;
  if (unit === 0) return tens === 8 ? 'quatre-vingts' : FR_PAIRS_TENS[tens]!;
  if (unit === 1 && tens !== 8) return `${FR_PAIRS_TENS[tens]} et un`;
  return `${FR_PAIRS_TENS[tens]}-${DIGIT_WORDS.fr[unit]}`;
}

function spellDigits(rng: Rng, lang: Lang, digits: string): string {
  const words: string[] = [];
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i]);
    // "double four" in English, "zwo" in German: both common on the phone.
    if (lang === 'en' && digits[i + 1] === digits[i] && digits[i + 2] !== digits[i] && rng.chance(0.3)) {
      words.push(`double ${DIGIT_WORDS.en[d]}`);
      i++;
      continue;
    }
    if (lang === 'de' && d === 2 && rng.chance(0.4)) words.push('zwo');
    else if (lang === 'en' && d === 0 && i > 0 && rng.chance(0.4)) words.push('oh');
    else words.push(DIGIT_WORDS[lang][d]!);
  }
  return words.join(' ');
}

function spellLetter(rng: Rng, lang: Lang, letter: string): string {
  const i = letter.charCodeAt(0) - 65;
  const style = rng.int(0, 2);
  if (style === 0) return letter;
  if (style === 1) return NATO[i]!;
  if (lang === 'de') return `${letter} wie ${DIN[i]}`;
  if (lang === 'fr') return `${letter} comme ${FR_ALPHA[i]}`;
  return `${letter} as in ${NATO[i]}`;
}

/** Speaks `value` (digits, letters, spaces marking groups) with pauses between groups. */
export function speak(rng: Rng, lang: Lang, value: string, groupSize = 4): string {
  const compact = value.replace(/[\s\-/+]/g, '');
  const groups: string[] = [];
  for (let i = 0; i < compact.length; i += groupSize) groups.push(compact.slice(i, i + groupSize));
  const parts = groups.map((g) =>
    g
      .split(/(?<=\D)|(?=\D)/)
      .map((chunk) => (/^\d+$/.test(chunk) ? spellDigits(rng, lang, chunk) : spellLetter(rng, lang, chunk)))
      .join(' '),
  );
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i++) out += rng.pick(FILLERS[lang]) + parts[i];
  return out;
}

/** French phone numbers are said in pairs: "zéro six, douze, trente-quatre, ...". */
export function speakFrenchPhone(rng: Rng, national: string): string {
  const d = national.replace(/\D/g, '');
  const pairs: string[] = [];
  for (let i = 0; i < d.length; i += 2) {
    const pair = d.slice(i, i + 2);
    pairs.push(pair[0] === '0' ? `zéro ${DIGIT_WORDS.fr[Number(pair[1])]}` : frPair(Number(pair)));
  }
  return pairs.join(rng.pick([', ', ' ']));
}

export function speakPlus(lang: Lang): string {
  return lang === 'fr' ? 'plus' : 'plus';
}
