import { lowerSameLength } from './lower.ts';
import type { EntityType, Span } from './types.ts';

// Context words (de/en/fr) near a span raise or lower its score, like Presidio's context enhancer.
// Matching is done on a lower-cased window, so cues are lower-case substrings.

const WINDOW_BEFORE = 48;
const WINDOW_AFTER = 16;
const BOOST = 0.2;
const PENALTY = 0.35;

const ORDER_LIKE = [
  'bestell',
  'auftrag',
  'order',
  'commande',
  'tracking',
  'sendung',
  'paket',
  'colis',
  'suivi',
  'rechnungsn',
  'invoice',
  'facture',
  'artikel',
  'article',
  'produkt',
  'product',
  'produit',
  'kundennummer',
  'customer no',
  'customer number',
  'numéro client',
  'ticket',
  'referenz',
  'reference',
  'référence',
  'version',
  'serien',
  'serial',
  'sku',
  'ean',
  'versand',
  'shipment',
  'expédition',
  'vorgang',
  'case',
  'dossier',
  'lieferung',
];

const POSITIVE: Partial<Record<EntityType, readonly string[]>> = {
  PAYMENT_CARD: [
    'karte',
    'kreditkarte',
    'card',
    'carte',
    'visa',
    'mastercard',
    'amex',
    'american express',
    'kartennummer',
    'cb ',
  ],
  IBAN: ['iban', 'konto', 'account', 'compte', 'bank', 'banque', 'lastschrift', 'sepa', 'rib'],
  BIC: ['bic', 'swift'],
  PHONE: [
    'tel',
    'phone',
    'handy',
    'mobil',
    'ruf',
    'call',
    'anruf',
    'erreich',
    'reach',
    'portable',
    'appel',
    'joindre',
    'fax',
    'whatsapp',
  ],
  DE_TAX_ID: ['steuer', 'idnr', 'tax', 'identifikationsnummer', 'fiscal'],
  DE_PENSION_NO: [
    'rentenversicherung',
    'sozialversicherung',
    'rv-nummer',
    'rvnr',
    'versicherungsnummer',
    'pension',
    'social security',
  ],
  DE_ID_CARD: [
    'ausweis',
    'personalausweis',
    'id card',
    'identity card',
    "carte d'identité",
    'identité',
    'perso',
  ],
  PASSPORT: ['pass', 'reisepass', 'passport', 'passeport'],
  VAT_ID: ['ust', 'umsatzsteuer', 'vat', 'tva', 'steuernummer', 'mwst'],
  FR_NIR: [
    'sécurité sociale',
    'securite sociale',
    'nir',
    'insee',
    'carte vitale',
    'numéro de sécu',
    'social security',
  ],
  UK_NINO: ['national insurance', 'nino', 'ni number', 'insurance number'],
  US_SSN: ['ssn', 'social security', 'social'],
  IP_ADDRESS: ['ip', 'adresse', 'address', 'server', 'router', 'host'],
  POSTAL_ADDRESS: [
    'adresse',
    'address',
    'anschrift',
    'wohne',
    'live at',
    'habite',
    'lieferadresse',
    'shipping to',
    'domicile',
  ],
  DATE_OF_BIRTH: ['geboren', 'geburt', 'geb.', 'born', 'birth', 'dob', 'né le', 'née le', 'naissance'],
};

/** Types whose base score already requires a cue: no generic negative context applies to them. */
const NUMERIC_TYPES = new Set<EntityType>([
  'PAYMENT_CARD',
  'PHONE',
  'DE_TAX_ID',
  'DE_PENSION_NO',
  'DE_ID_CARD',
  'PASSPORT',
  'VAT_ID',
  'FR_NIR',
  'US_SSN',
  'IP_ADDRESS',
  'UK_NINO',
]);

/**
 * Cues indexed by their last character, so a window is checked with one backward pass over its end
 * positions (no window copies, one table lookup per position) instead of one lastIndexOf per cue.
 */
interface CueSet {
  byLast: Array<readonly string[] | undefined>;
  other: Map<number, string[]>;
}

const cueSets = new WeakMap<readonly string[], CueSet>();

function cueSet(cues: readonly string[]): CueSet {
  let set = cueSets.get(cues);
  if (set) return set;
  const byLast: Array<string[] | undefined> = new Array(256).fill(undefined);
  const other = new Map<number, string[]>();
  for (const c of cues) {
    if (c.length === 0) continue;
    const last = c.charCodeAt(c.length - 1);
    if (last < 256) {
      const list = byLast[last] ?? [];
      list.push(c);
      byLast[last] = list;
    } else {
      const list = other.get(last) ?? [];
      list.push(c);
      other.set(last, list);
    }
  }
  set = { byLast, other };
  cueSets.set(cues, set);
  return set;
}

/** Whether a cue of `set` ends exactly at `end` and starts at or after `from` in `lower`. */
function cueEndsAt(lower: string, end: number, from: number, set: CueSet): boolean {
  const c = lower.charCodeAt(end - 1);
  const list = c < 256 ? set.byLast[c] : set.other.get(c);
  if (list === undefined) return false;
  for (const cue of list) {
    const start = end - cue.length;
    if (start >= from && lower.startsWith(cue, start)) return true;
  }
  return false;
}

/** Whether one of `cues` occurs (lower-cased) within the `before` characters preceding `start`. */
export function hasCue(
  text: string,
  start: number,
  _end: number,
  cues: readonly string[],
  before = WINDOW_BEFORE,
): boolean {
  const lower = lowerSameLength(text);
  const set = cueSet(cues);
  const from = Math.max(0, start - before);
  for (let e = start; e > from; e--) if (cueEndsAt(lower, e, from, set)) return true;
  return false;
}

const NO_CUES: readonly string[] = [];

/**
 * Adjusts `span.score` in place from the words around it. The cue nearest before the span wins, so
 * "Bestellung 123, bitte von Karte 4111..." still boosts the card; cues after the span only boost.
 * "Nearest" is the cue whose end is closest to the span; on a tie the positive cue wins.
 */
export function applyContext(text: string, span: Span): void {
  const positive = POSITIVE[span.type] ?? NO_CUES;
  const numeric = NUMERIC_TYPES.has(span.type);
  if (positive.length === 0 && !numeric) return;
  const lower = lowerSameLength(text);
  const pos = positive.length > 0 ? cueSet(positive) : undefined;
  const neg = numeric ? cueSet(ORDER_LIKE) : undefined;
  const from = Math.max(0, span.start - WINDOW_BEFORE);
  for (let e = span.start; e > from; e--) {
    if (pos !== undefined && cueEndsAt(lower, e, from, pos)) {
      span.score = Math.min(1, span.score + BOOST);
      return;
    }
    if (neg !== undefined && cueEndsAt(lower, e, from, neg)) {
      span.score = Math.max(0, span.score - PENALTY);
      return;
    }
  }
  if (pos === undefined) return;
  const until = Math.min(text.length, span.end + WINDOW_AFTER);
  for (let e = span.end + 1; e <= until; e++) {
    if (cueEndsAt(lower, e, span.end, pos)) {
      span.score = Math.min(1, span.score + BOOST);
      return;
    }
  }
}
