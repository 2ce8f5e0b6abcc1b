/** Entity types the engine can detect. Names are part of the public contract (policies, logs, tokens). */
export const ENTITY_TYPES = [
  'PAYMENT_CARD',
  'CARD_EXPIRY',
  'CARD_CVV',
  /** Magnetic-stripe track 1 or 2 (PCI DSS 3.3.1.1). */
  'CARD_TRACK',
  'IBAN',
  'BIC',
  'EMAIL',
  'PHONE',
  'IP_ADDRESS',
  'DE_TAX_ID',
  'DE_PENSION_NO',
  'DE_ID_CARD',
  'PASSPORT',
  'VAT_ID',
  'FR_NIR',
  'UK_NINO',
  'US_SSN',
  'DATE_OF_BIRTH',
  'POSTAL_ADDRESS',
  'CREDENTIAL',
  'PERSON',
  // Found by the statistical model (src/pii/ner); kept by the default policy.
  'LOCATION',
  'ORGANIZATION',
] as const;

export type EntityType = (typeof ENTITY_TYPES)[number];

/** A detected entity. Offsets are UTF-16 code units into the scanned text, `end` exclusive. */
export interface Span {
  start: number;
  end: number;
  type: EntityType;
  score: number;
}

export type Lang = 'de' | 'en' | 'fr';
export type Region = 'DE' | 'AT' | 'CH' | 'FR' | 'GB' | 'US';
export type Channel = 'chat' | 'email' | 'voice' | 'note';

export interface ScanOptions {
  lang?: Lang;
  /** Default region for national-format phone numbers. Derived from `lang` when absent. */
  region?: Region;
  channel?: Channel;
  /** Names already known for the conversation's customer; matched exactly (case-sensitive, whole words). */
  knownNames?: string[];
}

/** What every recognizer receives; `out` collects raw (unresolved) spans. */
export interface RecognizerContext {
  lang: Lang;
  region: Region;
  knownNames: readonly string[];
  out: Span[];
}

export type Recognizer = (text: string, ctx: RecognizerContext) => void;

export function isEntityType(value: unknown): value is EntityType {
  return typeof value === 'string' && (ENTITY_TYPES as readonly string[]).includes(value);
}
