import {
  atVatValid,
  dePensionCheckDigit,
  deTaxIdValid,
  deVatValid,
  frVatValid,
  icao731,
} from '../checksums.ts';
import { hasCue } from '../context.ts';
import type { Recognizer, Span } from '../types.ts';

const TAX_ID = /(?<![\w.,/-])(\d{2}) ?(\d{3}) ?(\d{3}) ?(\d{3})(?![\w]|[.,/-]\d)/g;
const PENSION = /(?<![\w.,/-])(\d{2}) ?(\d{2})(\d{2})(\d{2}) ?([A-Z]) ?(\d{2}) ?(\d)(?![\w])/g;
// Serial numbers of German ID cards and passports use digits and consonants without B, D, Q, S.
const DOC_NUMBER = /(?<![\w-])([CFGHJKLMNPRTVWXYZ][CFGHJKLMNPRTVWXYZ0-9]{8})(\d?)(?![\w-])/g;
const VAT =
  /(?<![\w])(?:DE ?(\d{3}) ?(\d{3}) ?(\d{3})|ATU ?(\d{8})|FR ?(\d{2}) ?(\d{3}) ?(\d{3}) ?(\d{3}))(?![\w])/g;

const PASSPORT_CUES = ['pass', 'passport', 'passeport'];
const ID_CARD_CUES = [
  'ausweis',
  'id card',
  'identity card',
  "carte d'identité",
  'identité',
  'id-karte',
  'perso',
];
const PASSPORT_PREFIX = new Set(['C', 'F', 'G', 'H', 'J', 'K']);

function push(out: Span[], start: number, end: number, type: Span['type'], score: number): void {
  out.push({ start, end, type, score });
}

export const recognizeGermanIds: Recognizer = (text, ctx) => {
  const { out } = ctx;
  TAX_ID.lastIndex = 0;
  for (let m = TAX_ID.exec(text); m; m = TAX_ID.exec(text)) {
    const id = m[1]! + m[2]! + m[3]! + m[4]!;
    if (deTaxIdValid(id)) push(out, m.index, m.index + m[0].length, 'DE_TAX_ID', 0.75);
  }

  PENSION.lastIndex = 0;
  for (let m = PENSION.exec(text); m; m = PENSION.exec(text)) {
    const day = Number(m[2]);
    const month = Number(m[3]);
    // The day field may carry +20..+60 offsets for reassigned numbers; the month must be real.
    if (day < 1 || day > 91 || month < 1 || month > 12) continue;
    const first11 = m[1]! + m[2]! + m[3]! + m[4]! + m[5]! + m[6]!;
    if (dePensionCheckDigit(first11) === Number(m[7]))
      push(out, m.index, m.index + m[0].length, 'DE_PENSION_NO', 0.85);
  }

  DOC_NUMBER.lastIndex = 0;
  for (let m = DOC_NUMBER.exec(text); m; m = DOC_NUMBER.exec(text)) {
    const serial = m[1]!;
    if (!/\d/.test(serial)) continue;
    const end = m.index + m[0].length;
    const checked = m[2] !== '' && icao731(serial) === Number(m[2]);
    if (m[2] !== '' && !checked) continue;
    const passportCue = hasCue(text, m.index, end, PASSPORT_CUES);
    const idCue = hasCue(text, m.index, end, ID_CARD_CUES);
    const type =
      passportCue && !idCue
        ? 'PASSPORT'
        : idCue
          ? 'DE_ID_CARD'
          : PASSPORT_PREFIX.has(serial[0]!)
            ? 'PASSPORT'
            : 'DE_ID_CARD';
    push(out, m.index, end, type, checked ? 0.7 : 0.35);
  }

  VAT.lastIndex = 0;
  for (let m = VAT.exec(text); m; m = VAT.exec(text)) {
    const valid =
      m[1] !== undefined
        ? deVatValid(m[1] + m[2]! + m[3]!)
        : m[4] !== undefined
          ? atVatValid(m[4])
          : frVatValid(m[5]!, m[6]! + m[7]! + m[8]!);
    if (valid) push(out, m.index, m.index + m[0].length, 'VAT_ID', 0.85);
  }
};
