import type { EntityType, Lang, Region } from '../../../src/pii/types.ts';
import * as id from './identifiers.ts';
import type { Rng } from './random.ts';
import { speak, speakFrenchPhone } from './speech.ts';

// Fills template placeholders. Labelled ones return an entity type; the rest are hard negatives.

export interface Filled {
  value: string;
  type?: EntityType;
}

const MONTHS: Record<Lang, readonly string[]> = {
  de: [
    'Januar',
    'Februar',
    'März',
    'April',
    'Mai',
    'Juni',
    'Juli',
    'August',
    'September',
    'Oktober',
    'November',
    'Dezember',
  ],
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
  fr: [
    'janvier',
    'février',
    'mars',
    'avril',
    'mai',
    'juin',
    'juillet',
    'août',
    'septembre',
    'octobre',
    'novembre',
    'décembre',
  ],
};

function date(rng: Rng, lang: Lang, fromYear: number, toYear: number): string {
  const d = rng.int(1, 28);
  const m = rng.int(1, 12);
  const y = rng.int(fromYear, toYear);
  const dd = String(d).padStart(2, '0');
  const mm = String(m).padStart(2, '0');
  const style = rng.int(0, 2);
  if (style === 0) return lang === 'de' ? `${dd}.${mm}.${y}` : `${dd}/${mm}/${y}`;
  if (style === 1)
    return lang === 'en'
      ? `${MONTHS.en[m - 1]} ${d}, ${y}`
      : lang === 'de'
        ? `${d}. ${MONTHS.de[m - 1]} ${y}`
        : `${d} ${MONTHS.fr[m - 1]} ${y}`;
  return `${y}-${mm}-${dd}`;
}

function address(rng: Rng, lang: Lang): string {
  const n = rng.int(1, 180);
  if (lang === 'de') {
    return rng.pick([
      () =>
        `${rng.pick(['Hauptstraße', 'Bahnhofstraße', 'Gartenweg', 'Schillerstr.', 'Lindenallee', 'Berliner Straße', 'Goethestraße', 'Kirchplatz', 'Am Markt'])} ${n}${rng.pick(['', '', 'a'])}, ${rng.int(10000, 99999)} ${rng.pick(['Berlin', 'München', 'Hamburg', 'Köln', 'Frankfurt am Main', 'Leipzig', 'Bad Homburg'])}`,
      () =>
        `${rng.pick(['Mariahilfer Straße', 'Landstraßer Hauptstraße', 'Herrengasse'])} ${n}, ${rng.int(1010, 1230)} Wien`,
      () =>
        `${rng.pick(['Bahnhofstrasse', 'Seestrasse', 'Dorfstrasse'])} ${n}, ${rng.int(1000, 9658)} ${rng.pick(['Zürich', 'Bern', 'Basel', 'Luzern'])}`,
    ])();
  }
  if (lang === 'fr') {
    return `${n}${rng.pick(['', '', ' bis'])} ${rng.pick(['rue de la Paix', 'avenue Victor Hugo', 'boulevard Haussmann', 'place Bellecour', 'rue Nationale', 'chemin des Vignes'])}, ${rng.int(10, 95)}${rng.digits(3)} ${rng.pick(['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Aix-en-Provence', 'Saint-Étienne'])}`;
  }
  return rng.pick([
    () =>
      `${n}${rng.pick(['', 'B'])} ${rng.pick(['Baker Street', 'High Street', 'Station Road', 'Church Lane', 'Victoria Avenue'])}, ${rng.pick(['London NW1 6XE', 'Manchester M1 1AE', 'Leeds LS1 4AP', 'Bristol BS1 5TR'])}`,
    () =>
      `${n} ${rng.pick(['Fifth Avenue', 'Pennsylvania Avenue', 'Main Street', 'Sunset Boulevard'])}, ${rng.pick(['New York, NY 10118', 'Washington, DC 20500', 'Springfield, IL 62701'])}`,
  ])();
}

function phoneFor(rng: Rng, lang: Lang): string {
  const home: Region = lang === 'de' ? 'DE' : lang === 'fr' ? 'FR' : 'GB';
  if (rng.chance(0.6)) return id.phone(rng, home, false);
  return id.phone(rng, rng.pick(['DE', 'AT', 'CH', 'FR', 'GB', 'US'] as const), true);
}

export function fill(rng: Rng, lang: Lang, name: string, person: { first: string; last: string }): Filled {
  switch (name) {
    case 'CARD':
      return { value: id.formatCard(rng, id.cardDigits(rng)), type: 'PAYMENT_CARD' };
    case 'EXP':
      return { value: id.expiry(rng), type: 'CARD_EXPIRY' };
    case 'CVV':
      return { value: rng.digits(rng.chance(0.9) ? 3 : 4), type: 'CARD_CVV' };
    case 'IBAN':
      return { value: id.formatIban(rng, id.iban(rng)), type: 'IBAN' };
    case 'BIC':
      return { value: id.bic(rng), type: 'BIC' };
    case 'EMAIL':
      return { value: id.emailFor(rng, person.first, person.last), type: 'EMAIL' };
    case 'PHONE':
      return { value: phoneFor(rng, lang), type: 'PHONE' };
    case 'IP':
      return { value: id.ipAddress(rng), type: 'IP_ADDRESS' };
    case 'TAXID':
      return { value: id.deTaxId(rng), type: 'DE_TAX_ID' };
    case 'PENSION':
      return { value: id.dePensionNo(rng), type: 'DE_PENSION_NO' };
    case 'IDCARD':
      return { value: id.deDocument(rng, false), type: 'DE_ID_CARD' };
    case 'PASSPORT':
      return { value: id.deDocument(rng, true), type: 'PASSPORT' };
    case 'VAT':
      return { value: id.vatId(rng), type: 'VAT_ID' };
    case 'NIR':
      return { value: id.frNir(rng), type: 'FR_NIR' };
    case 'NINO':
      return { value: id.ukNino(rng), type: 'UK_NINO' };
    case 'SSN':
      return { value: id.usSsn(rng), type: 'US_SSN' };
    case 'DOB':
      return { value: date(rng, lang, 1940, 2005), type: 'DATE_OF_BIRTH' };
    case 'ADDRESS':
      return { value: address(rng, lang), type: 'POSTAL_ADDRESS' };
    case 'PASSWORD':
      return { value: id.password(rng), type: 'CREDENTIAL' };
    case 'PIN':
      return { value: rng.digits(rng.pick([4, 4, 6])), type: 'CREDENTIAL' };
    case 'APIKEY':
      return { value: id.apiKey(rng), type: 'CREDENTIAL' };
    case 'NAME':
      return { value: `${person.first} ${person.last}`, type: 'PERSON' };
    case 'LAST':
      return { value: person.last, type: 'PERSON' };
    case 'SCARD':
      return { value: speak(rng, lang, id.cardDigits(rng)), type: 'PAYMENT_CARD' };
    case 'SIBAN':
      return { value: speak(rng, lang, id.iban(rng, ['DE', 'FR', 'AT', 'GB', 'NL'])), type: 'IBAN' };
    case 'STAXID':
      return { value: speak(rng, lang, id.deTaxId(rng), rng.pick([2, 3, 4])), type: 'DE_TAX_ID' };
    case 'SPHONE': {
      const national = id
        .phone(rng, lang === 'de' ? 'DE' : lang === 'fr' ? 'FR' : 'GB', false)
        .replace(/\D/g, '');
      return {
        value: lang === 'fr' ? speakFrenchPhone(rng, national) : speak(rng, lang, national, rng.pick([3, 4])),
        type: 'PHONE',
      };
    }
    case 'ORDER':
      return {
        value: rng.pick([
          () => `${rng.int(100, 999)}-${rng.digits(7)}-${rng.digits(7)}`,
          () => `#${rng.digits(8)}`,
          () => `${rng.int(1, 9)}${rng.digits(9)}`,
          () => `A${rng.digits(9)}`,
        ])(),
      };
    case 'TRACKING':
      return {
        value: rng.pick([
          () => `00340434${rng.digits(12)}`,
          () => `JJD${rng.digits(18)}`,
          () => `1Z${rng.chars(6, 'ABCDEFGHJKLMNPRTVWXY0123456789')}${rng.digits(10)}`,
          () => `CX${rng.digits(9)}DE`,
        ])(),
      };
    case 'PRICE':
      return {
        value:
          lang === 'en'
            ? rng.pick([`£${rng.int(5, 999)}.${rng.digits(2)}`, `$${rng.int(1, 9)},${rng.digits(3)}.00`])
            : `${rng.int(5, 1999).toLocaleString('de-DE')},${rng.digits(2)} ${rng.pick(['€', 'EUR'])}`,
      };
    case 'DATE':
      return { value: date(rng, lang, 2023, 2026) };
    case 'PRODUCT':
      return {
        value: rng.pick([
          `ART-${rng.digits(4)}-XL`,
          `SKU ${rng.digits(3)}-${rng.digits(4)}`,
          `XK-${rng.digits(4)}`,
          `EAN 40${rng.digits(11)}`,
        ]),
      };
    case 'INVOICE':
      return {
        value: rng.pick([
          `RE-${rng.int(2022, 2026)}-${rng.digits(6)}`,
          `INV-${rng.int(2022, 2026)}${rng.digits(4)}-${rng.digits(4)}`,
          `F${rng.int(2022, 2026)}-${rng.digits(5)}`,
        ]),
      };
    case 'BADCARD':
      return { value: id.formatCard(rng, id.invalidCard(rng)) };
    case 'BADIBAN':
      return { value: id.invalidIban(rng) };
    case 'TIME':
      return { value: `${rng.int(8, 19)}:${rng.pick(['00', '15', '30', '45'])}` };
    case 'QTY':
      return { value: String(rng.int(1, 9)) };
    default:
      throw new Error(`unknown placeholder ${name}`);
  }
}
