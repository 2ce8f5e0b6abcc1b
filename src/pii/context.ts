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

export function hasCue(
  text: string,
  start: number,
  _end: number,
  cues: readonly string[],
  before = WINDOW_BEFORE,
): boolean {
  const w = lowerSameLength(text).slice(Math.max(0, start - before), start);
  for (const c of cues) if (w.includes(c)) return true;
  return false;
}

function lastCueIndex(window: string, cues: readonly string[]): number {
  let best = -1;
  for (const c of cues) {
    const i = window.lastIndexOf(c);
    if (i >= 0 && i + c.length > best) best = i + c.length;
  }
  return best;
}

/**
 * Adjusts `span.score` in place from the words around it. The cue nearest before the span wins, so
 * "Bestellung 123, bitte von Karte 4111..." still boosts the card; cues after the span only boost.
 */
export function applyContext(text: string, span: Span): void {
  const positive = POSITIVE[span.type] ?? [];
  const numeric = NUMERIC_TYPES.has(span.type);
  if (positive.length === 0 && !numeric) return;
  const lower = lowerSameLength(text);
  const before = lower.slice(Math.max(0, span.start - WINDOW_BEFORE), span.start);
  const pos = lastCueIndex(before, positive);
  const neg = numeric ? lastCueIndex(before, ORDER_LIKE) : -1;
  if (pos >= 0 && pos >= neg) {
    span.score = Math.min(1, span.score + BOOST);
  } else if (neg >= 0) {
    span.score = Math.max(0, span.score - PENALTY);
  } else if (positive.length > 0) {
    const after = lower.slice(span.end, Math.min(text.length, span.end + WINDOW_AFTER));
    if (lastCueIndex(after, positive) >= 0) span.score = Math.min(1, span.score + BOOST);
  }
}
