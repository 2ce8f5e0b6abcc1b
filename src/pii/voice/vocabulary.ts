// Spoken-number and spelling-alphabet vocabulary for de/en/fr transcripts. Keys are lower-case with
// spaces and hyphens removed, so "soixante-dix-huit", "soixante dix huit" and "vingt et un" all resolve.

const DE_UNITS = ['null', 'eins', 'zwei', 'drei', 'vier', 'fünf', 'sechs', 'sieben', 'acht', 'neun'];
const DE_COMPOUND_UNITS = ['', 'ein', 'zwei', 'drei', 'vier', 'fünf', 'sechs', 'sieben', 'acht', 'neun'];
const DE_TEENS = [
  'zehn',
  'elf',
  'zwölf',
  'dreizehn',
  'vierzehn',
  'fünfzehn',
  'sechzehn',
  'siebzehn',
  'achtzehn',
  'neunzehn',
];
const DE_TENS = [
  '',
  '',
  'zwanzig',
  'dreißig',
  'vierzig',
  'fünfzig',
  'sechzig',
  'siebzig',
  'achtzig',
  'neunzig',
];

const EN_UNITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const EN_TEENS = [
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const EN_TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

const FR_UNITS = ['zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf'];
const FR_TEENS = [
  'dix',
  'onze',
  'douze',
  'treize',
  'quatorze',
  'quinze',
  'seize',
  'dixsept',
  'dixhuit',
  'dixneuf',
];
const FR_TENS = ['', '', 'vingt', 'trente', 'quarante', 'cinquante', 'soixante'];

/** Spoken form (normalized key) -> digits it stands for ("acht" -> "8", "zweiundvierzig" -> "42"). */
export const NUMBER_WORDS = new Map<string, string>();

function add(word: string, value: number): void {
  NUMBER_WORDS.set(word.replace(/[\s-]/g, ''), value < 10 ? String(value) : String(value).padStart(2, '0'));
}

function frTens(n: number): string {
  const tens = Math.floor(n / 10);
  const unit = n % 10;
  if (n < 10) return FR_UNITS[n]!;
  if (n < 20) return FR_TEENS[n - 10]!;
  if (tens <= 6) return FR_TENS[tens]! + (unit === 0 ? '' : unit === 1 ? 'etun' : FR_UNITS[unit]!);
  if (tens === 7) return `soixante${unit === 1 ? 'etonze' : FR_TEENS[unit]!}`;
  if (tens === 8) return `quatrevingt${unit === 0 ? 's' : FR_UNITS[unit]!}`;
  return `quatrevingt${FR_TEENS[unit]!}`;
}

for (let n = 0; n < 100; n++) {
  const unit = n % 10;
  const tens = Math.floor(n / 10);
  if (n < 10) {
    add(DE_UNITS[n]!, n);
    add(EN_UNITS[n]!, n);
  } else if (n < 20) {
    add(DE_TEENS[n - 10]!, n);
    add(EN_TEENS[n - 10]!, n);
  } else {
    add(unit === 0 ? DE_TENS[tens]! : `${DE_COMPOUND_UNITS[unit]!}und${DE_TENS[tens]!}`, n);
    add(unit === 0 ? EN_TENS[tens]! : `${EN_TENS[tens]!}${EN_UNITS[unit]!}`, n);
  }
  add(frTens(n), n);
}
for (const [alias, value] of [
  ['zwo', 2],
  ['fuenf', 5],
  ['zwoelf', 12],
  ['dreissig', 30],
  ['zero', 0],
  ['quatrevingt', 80],
  ['nought', 0],
  ['soixanteonze', 71],
  ['vingtun', 21],
  ['trenteun', 31],
  ['quaranteun', 41],
  ['cinquanteun', 51],
  ['soixanteun', 61],
] as const) {
  add(alias, value);
}

/** Words that are digits only after another digit ("oh" in "four oh two", "ein" in "sieben ein"). */
export const WEAK_DIGITS = new Map<string, string>([
  ['oh', '0'],
  ['o', '0'],
  ['ein', '1'],
  ['eine', '1'],
  ['une', '1'],
]);

export const REPEATERS = new Map<string, number>([
  ['double', 2],
  ['doppel', 2],
  ['doppelt', 2],
  ['triple', 3],
  ['dreifach', 3],
]);

/** Words people drop between digit groups; they end a group but not the spoken number. */
export const FILLERS = new Set([
  'äh',
  'ähm',
  'öh',
  'öhm',
  'hm',
  'hmm',
  'mhm',
  'um',
  'uh',
  'uhm',
  'umm',
  'er',
  'erm',
  'ah',
  'euh',
  'heu',
  'ben',
  'bon',
  'alors',
  'also',
  'dann',
  'so',
  'und',
  'and',
  'et',
  'okay',
  'ok',
  'genau',
  'ja',
  'yes',
  'oui',
  'voilà',
  'voila',
  'nochmal',
  'again',
  'encore',
  'sorry',
  'pardon',
  'moment',
  'warte',
  'wait',
  'attendez',
  'puis',
  'then',
  'noch',
]);

export const NATO = new Map<string, string>(
  [
    'alfa',
    'alpha',
    'bravo',
    'charlie',
    'delta',
    'echo',
    'foxtrot',
    'golf',
    'hotel',
    'india',
    'juliett',
    'juliet',
    'kilo',
    'lima',
    'mike',
    'november',
    'oscar',
    'papa',
    'quebec',
    'romeo',
    'sierra',
    'tango',
    'uniform',
    'victor',
    'whiskey',
    'whisky',
    'xray',
    'x-ray',
    'yankee',
    'zulu',
  ].map((w) => [w, w === 'x-ray' || w === 'xray' ? 'X' : w[0]!.toUpperCase()]),
);

/** "A wie Anton", "B as in Bravo", "D comme Denise", "S for Sugar": the connector between letter and word. */
export const SPELLING_CONNECTORS = new Set(['wie', 'comme', 'for', 'like', 'as in', 'asin']);

export const PLUS_WORDS = new Set(['plus']);
