import { readFileSync } from 'node:fs';

// Public name and place lists (see docs/pii-model.md for sources), lower-cased. One bit per list so a
// token's gazetteer hits are one small integer feature.

export const GAZ_FIRST = 1;
export const GAZ_LAST = 2;
export const GAZ_CITY = 4;
export const GAZ_STREET = 8;
export const GAZ_TITLE = 16;
export const GAZ_PARTICLE = 32;
export const GAZ_ORG = 64;
export const GAZ_BITS = 7;

export interface GazetteerLists {
  first: string[];
  last: string[];
  city: string[];
  street: string[];
}

const TITLES = [
  'herr',
  'herrn',
  'frau',
  'fr.',
  'hr.',
  'mr',
  'mr.',
  'mrs',
  'mrs.',
  'ms',
  'ms.',
  'miss',
  'dr',
  'dr.',
  'prof',
  'prof.',
  'monsieur',
  'madame',
  'mme',
  'mme.',
  'mlle',
  'mademoiselle',
  'm.',
  'sir',
  'madam',
];
const PARTICLES = [
  'von',
  'van',
  'de',
  'der',
  'den',
  'du',
  'la',
  'le',
  'di',
  'da',
  'del',
  'zu',
  'dos',
  'ten',
  "o'",
  'mc',
];
const ORG_WORDS = [
  'gmbh',
  'ag',
  'kg',
  'ohg',
  'ug',
  'e.v.',
  'ev',
  'inc',
  'inc.',
  'ltd',
  'ltd.',
  'llc',
  'plc',
  'corp',
  'corp.',
  'co',
  'sa',
  'sarl',
  'sas',
  'bank',
  'versicherung',
  'stadtwerke',
  'telekom',
  'university',
  'universität',
  'université',
];
const STREET_SUFFIXES = [
  'straße',
  'strasse',
  'str.',
  'str',
  'weg',
  'gasse',
  'platz',
  'allee',
  'ring',
  'damm',
  'ufer',
  'chaussee',
  'steig',
  'pfad',
  'markt',
  'street',
  'st.',
  'road',
  'rd.',
  'avenue',
  'ave',
  'ave.',
  'lane',
  'drive',
  'close',
  'way',
  'court',
  'boulevard',
  'blvd',
  'place',
  'terrace',
  'crescent',
  'gardens',
  'square',
  'rue',
  'bd',
  'bd.',
  'impasse',
  'allée',
  'chemin',
  'quai',
  'route',
  'cours',
  'passage',
];

export class Gazetteer {
  private readonly bits = new Map<string, number>();

  constructor(lists: GazetteerLists) {
    const add = (words: Iterable<string>, bit: number) => {
      for (const w of words) this.bits.set(w, (this.bits.get(w) ?? 0) | bit);
    };
    add(lists.first, GAZ_FIRST);
    add(lists.last, GAZ_LAST);
    add(lists.city, GAZ_CITY);
    add(lists.street, GAZ_STREET);
    add(STREET_SUFFIXES, GAZ_STREET);
    add(TITLES, GAZ_TITLE);
    add(PARTICLES, GAZ_PARTICLE);
    add(ORG_WORDS, GAZ_ORG);
  }

  /** Bit mask of the lists that hold `lower` (a lower-cased token); German street compounds count too. */
  lookup(lower: string): number {
    let bits = this.bits.get(lower) ?? 0;
    if (lower.length > 6 && /(?:straße|strasse|str\.|weg|gasse|platz|allee)$/.test(lower)) bits |= GAZ_STREET;
    return bits;
  }
}

let loaded: Gazetteer | undefined;

export function loadGazetteer(): Gazetteer {
  if (!loaded) {
    const url = new URL('./data/gazetteers.json', import.meta.url);
    loaded = new Gazetteer(JSON.parse(readFileSync(url, 'utf8')) as GazetteerLists);
  }
  return loaded;
}
