import { composeIBAN } from 'ibantools';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import {
  decimalMod,
  dePensionCheckDigit,
  deTaxIdDigitsPlausible,
  frNirKey,
  icao731,
  iso7064Mod1110,
  luhnCheckDigit,
  luhnValid,
} from '../../../src/pii/checksums.ts';
import type { Lang, Region } from '../../../src/pii/types.ts';
import type { Rng } from './random.ts';

// Valid-looking identifiers for the generator. Each returns the value as a person would write it.

const DIGITS = '0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALNUM = `${UPPER}abcdefghijklmnopqrstuvwxyz${DIGITS}`;

export function cardDigits(rng: Rng): string {
  const kind = rng.int(0, 5);
  const [prefix, length] =
    kind <= 1
      ? ['4', 16]
      : kind === 2
        ? [String(rng.int(51, 55)), 16]
        : kind === 3
          ? [String(rng.int(2221, 2720)), 16]
          : kind === 4
            ? [rng.pick(['34', '37']), 15]
            : ['6011', 16];
  const body = prefix + rng.digits(length - prefix.length - 1);
  return body + luhnCheckDigit(body);
}

export function formatCard(rng: Rng, digits: string): string {
  const sep = rng.pick([' ', ' ', '-', '']);
  if (digits.length === 15) return [digits.slice(0, 4), digits.slice(4, 10), digits.slice(10)].join(sep);
  return digits.replace(/(\d{4})(?=\d)/g, `$1${sep}`);
}

/** A card number with a broken Luhn digit (hard negative). */
export function invalidCard(rng: Rng): string {
  const d = cardDigits(rng);
  const last = (Number(d[d.length - 1]) + rng.int(1, 9)) % 10;
  const bad = d.slice(0, -1) + last;
  return luhnValid(bad) ? `${bad.slice(0, -1)}${(last + 1) % 10}` : bad;
}

export function expiry(rng: Rng): string {
  return `${String(rng.int(1, 12)).padStart(2, '0')}/${rng.pick(['', '20'])}${rng.int(25, 31)}`;
}

const IBAN_BBANS: Array<[string, (r: Rng) => string]> = [
  ['DE', (r) => r.digits(18)],
  ['AT', (r) => r.digits(16)],
  ['CH', (r) => r.digits(17)],
  ['FR', (r) => frBban(r)],
  ['GB', (r) => r.chars(4, UPPER) + r.digits(14)],
  ['NL', (r) => r.chars(4, UPPER) + r.digits(10)],
  ['BE', (r) => beBban(r)],
  ['IT', (r) => r.chars(1, UPPER) + r.digits(10) + r.digits(12)],
  ['LU', (r) => r.digits(3) + r.digits(13)],
];

function frBban(r: Rng): string {
  // RIB key: 97 - ((89*bank + 15*branch + 3*account) mod 97) over numeric account.
  const bank = r.digits(5);
  const branch = r.digits(5);
  const account = r.digits(11);
  const key = 97 - ((89 * Number(bank) + 15 * Number(branch) + 3 * decimalMod(account, 97)) % 97);
  return bank + branch + account + String(key).padStart(2, '0');
}

function beBban(r: Rng): string {
  const body = r.digits(10);
  const check = decimalMod(body, 97) || 97;
  return body + String(check).padStart(2, '0');
}

export function iban(rng: Rng, countries?: readonly string[]): string {
  for (;;) {
    const [cc, bban] = rng.pick(countries ? IBAN_BBANS.filter(([c]) => countries.includes(c)) : IBAN_BBANS);
    const value = composeIBAN({ countryCode: cc, bban: bban(rng) });
    if (value) return value;
  }
}

export function formatIban(rng: Rng, value: string): string {
  return rng.chance(0.7) ? value.replace(/(.{4})(?=.)/g, '$1 ') : value;
}

export function invalidIban(rng: Rng): string {
  const v = iban(rng, ['DE']);
  const bad = `${v.slice(0, 2)}${String((Number(v.slice(2, 4)) + rng.int(1, 9)) % 100).padStart(2, '0')}${v.slice(4)}`;
  return formatIban(rng, bad);
}

export function bic(rng: Rng): string {
  return (
    rng.chars(4, UPPER) +
    rng.pick(['DE', 'FR', 'AT', 'GB', 'CH']) +
    rng.chars(2, `${UPPER}${DIGITS}`) +
    rng.pick(['', 'XXX'])
  );
}

export function deTaxId(rng: Rng): string {
  for (;;) {
    const first10 = String(rng.int(1, 9)) + rng.digits(9);
    const id = first10 + iso7064Mod1110(first10);
    if (deTaxIdDigitsPlausible(id))
      return rng.chance(0.5) ? id : `${id.slice(0, 2)} ${id.slice(2, 5)} ${id.slice(5, 8)} ${id.slice(8)}`;
  }
}

export function dePensionNo(rng: Rng): string {
  const first11 =
    String(rng.int(2, 89)).padStart(2, '0') +
    String(rng.int(1, 28)).padStart(2, '0') +
    String(rng.int(1, 12)).padStart(2, '0') +
    rng.digits(2) +
    rng.chars(1, UPPER) +
    rng.digits(2);
  const v = first11 + dePensionCheckDigit(first11);
  return rng.chance(0.5) ? v : `${v.slice(0, 2)} ${v.slice(2, 8)} ${v[8]} ${v.slice(9)}`;
}

const DOC_CHARS = 'CFGHJKLMNPRTVWXYZ0123456789';
export function deDocument(rng: Rng, passport: boolean): string {
  const serial =
    rng.pick(passport ? ['C', 'F', 'G', 'H', 'J', 'K'] : ['L', 'M', 'N', 'P', 'R', 'T']) +
    rng.chars(7, DOC_CHARS) +
    rng.digits(1);
  return serial + icao731(serial);
}

export function vatId(rng: Rng): string {
  for (;;) {
    const body = String(rng.int(1, 9)) + rng.digits(7);
    const v = body + iso7064Mod1110(body);
    return rng.chance(0.6) ? `DE${v}` : `DE ${v.slice(0, 3)} ${v.slice(3, 6)} ${v.slice(6)}`;
  }
}

export function frNir(rng: Rng): string {
  const dept = rng.chance(0.1) ? rng.pick(['2A', '2B']) : String(rng.int(1, 95)).padStart(2, '0');
  const body = `${rng.int(1, 2)}${rng.digits(2)}${String(rng.int(1, 12)).padStart(2, '0')}${dept}${rng.digits(3)}${rng.digits(3)}`;
  const key = String(frNirKey(body)).padStart(2, '0');
  const v = body + key;
  return rng.chance(0.5)
    ? v
    : `${v[0]} ${v.slice(1, 3)} ${v.slice(3, 5)} ${v.slice(5, 7)} ${v.slice(7, 10)} ${v.slice(10, 13)} ${v.slice(13)}`;
}

export function ukNino(rng: Rng): string {
  const p1 = rng.pick([...'ABCEGHJKLMNOPRSTWXYZ']);
  const p2 = rng.pick([...'ABCEGHJKLMNPRSTWXYZ']);
  if (['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ'].includes(p1 + p2)) return 'AB 12 34 56 C';
  const d = rng.digits(6);
  return rng.chance(0.5)
    ? `${p1}${p2}${d}${rng.pick(['A', 'B', 'C', 'D'])}`
    : `${p1}${p2} ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4)} ${rng.pick(['A', 'B', 'C', 'D'])}`;
}

export function usSsn(rng: Rng): string {
  let area = rng.int(1, 899);
  if (area === 666) area = 665;
  return `${String(area).padStart(3, '0')}-${String(rng.int(1, 99)).padStart(2, '0')}-${String(rng.int(1, 9999)).padStart(4, '0')}`;
}

const PHONE_PATTERNS: Record<Region, Array<(r: Rng) => string>> = {
  DE: [
    (r) =>
      `01${r.pick(['51', '52', '57', '60', '62', '70', '71', '72', '73', '75', '76', '77', '78', '79'])}${r.digits(7)}`,
    (r) => `0${r.pick(['30', '40', '89', '221', '69', '711'])}${r.digits(7)}`,
  ],
  AT: [(r) => `06${r.pick(['64', '76', '60', '99'])}${r.digits(7)}`, (r) => `01${r.digits(7)}`],
  CH: [
    (r) => `07${r.pick(['6', '7', '8', '9'])}${r.digits(7)}`,
    (r) => `04${r.pick(['1', '3', '4'])}${r.digits(7)}`,
  ],
  FR: [(r) => `0${r.pick(['6', '7'])}${r.digits(8)}`, (r) => `0${r.int(1, 5)}${r.digits(8)}`],
  GB: [
    (r) => `07${r.pick(['4', '5', '7', '8', '9'])}${r.digits(8)}`,
    (r) => `020${r.pick(['7', '8'])}${r.digits(7)}`,
  ],
  US: [(r) => `${r.int(201, 989)}${r.int(200, 989)}${r.digits(4)}`],
};
const CALLING_CODE: Record<Region, string> = { DE: '49', AT: '43', CH: '41', FR: '33', GB: '44', US: '1' };

/** A valid phone number of `region` (checked with libphonenumber), national or international format. */
export function phone(rng: Rng, region: Region, international: boolean): string {
  for (;;) {
    const national = rng.pick(PHONE_PATTERNS[region])(rng);
    const parsed = parsePhoneNumberFromString(national, region);
    if (!parsed?.isValid()) continue;
    if (international) {
      const formatted = parsed.formatInternational();
      return rng.chance(0.8)
        ? formatted
        : `00${CALLING_CODE[region]} ${formatted.slice(CALLING_CODE[region].length + 2)}`;
    }
    const style = rng.int(0, 2);
    if (style === 0) return parsed.formatNational();
    if (style === 1 || region === 'US') return national;
    return `${national.slice(0, 4)}/${national.slice(4)}`;
  }
}

export function ipAddress(rng: Rng): string {
  if (rng.chance(0.75))
    return `${rng.pick([10, 192, 172, 81, 85, 62, 213])}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
  const g = () => rng.int(1, 0xffff).toString(16);
  return rng.chance(0.5) ? `2001:db8:${g()}:${g()}::${g()}` : `fe80::${g()}:${g()}:${g()}:${g()}`;
}

export const FIRST_NAMES: Record<Lang, readonly string[]> = {
  de: [
    'Max',
    'Anna',
    'Lukas',
    'Sophie',
    'Jonas',
    'Lea',
    'Felix',
    'Hannah',
    'Paul',
    'Marie',
    'Jürgen',
    'Sabine',
    'Hans-Peter',
  ],
  en: [
    'John',
    'Emily',
    'James',
    'Olivia',
    'Oliver',
    'Charlotte',
    'Harry',
    'Amelia',
    'George',
    'Jessica',
    'Michael',
    'Sarah',
  ],
  fr: [
    'Jean',
    'Marie',
    'Pierre',
    'Camille',
    'Louis',
    'Chloé',
    'Hugo',
    'Léa',
    'Jean-Luc',
    'Élodie',
    'Antoine',
    'Manon',
  ],
};
export const LAST_NAMES: Record<Lang, readonly string[]> = {
  de: [
    'Müller',
    'Schmidt',
    'Schneider',
    'Fischer',
    'Weber',
    'Meyer',
    'Wagner',
    'Becker',
    'Schulz',
    'Hoffmann',
    'Krüger',
    'von Brandt',
  ],
  en: [
    'Smith',
    'Jones',
    'Taylor',
    'Brown',
    'Williams',
    'Wilson',
    'Johnson',
    'Davies',
    "O'Brien",
    'Evans',
    'Thomas',
    'Roberts',
  ],
  fr: [
    'Martin',
    'Bernard',
    'Dubois',
    'Thomas',
    'Robert',
    'Richard',
    'Petit',
    'Durand',
    'Leroy',
    'Moreau',
    'Lefèvre',
    'Girard',
  ],
};

export function emailFor(rng: Rng, first: string, last: string): string {
  const clean = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase()
      .replace('ü', 'ue');
  const domain = rng.pick([
    'example.com',
    'example.de',
    'mail.example.org',
    'posteo.example',
    'exemple.fr',
    'web.example.de',
  ]);
  const local = rng.pick([
    `${clean(first)}.${clean(last)}`,
    `${clean(first)[0]}${clean(last)}${rng.int(1, 99)}`,
    `${clean(last)}_${rng.int(1970, 2005)}`,
  ]);
  return `${local}@${domain}`;
}

export function password(rng: Rng): string {
  return rng.pick([
    () =>
      `${rng.pick(['Sommer', 'Winter', 'Hallo', 'Soleil', 'Dragon', 'Monkey', 'Bayern'])}${rng.int(1, 2025)}${rng.pick(['!', '#', '', '?', '$'])}`,
    () => rng.chars(rng.int(8, 14), `${ALNUM}!#%&*`),
    () => `${rng.chars(3, UPPER)}-${rng.digits(4)}-${rng.chars(3, 'abcdefghjk')}`,
  ])();
}

export function apiKey(rng: Rng): string {
  return rng.pick([
    () => `sk_live_${rng.chars(24, ALNUM)}`,
    () => `ghp_${rng.chars(36, ALNUM)}`,
    () => `AKIA${rng.chars(16, `${UPPER}${DIGITS}`)}`,
    () => `xoxb-${rng.digits(12)}-${rng.digits(12)}-${rng.chars(24, ALNUM)}`,
    () => `glpat-${rng.chars(20, ALNUM)}`,
  ])();
}
