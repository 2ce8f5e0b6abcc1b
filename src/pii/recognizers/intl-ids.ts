import { frNirKey } from '../checksums.ts';
import { hasCue } from '../context.ts';
import type { Recognizer } from '../types.ts';

// French NIR: sex, YY, MM, department (2A/2B for Corsica), commune, order, 2-digit key.
const FR_NIR = /(?<![\w])([12378]) ?(\d{2}) ?(\d{2}) ?(\d{2}|2[AB]) ?(\d{3}) ?(\d{3}) ?(\d{2})(?![\w])/g;
// UK NINO: two prefix letters (D, F, I, Q, U, V never; O not second), six digits, suffix A-D.
const UK_NINO = /(?<![\w])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])(?![\w])/g;
const NINO_BAD_PREFIX = new Set(['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']);
const US_SSN = /(?<![\w.,/-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\w]|[.,/-]\d)/g;
const SSN_CUES = ['ssn', 'social security', 'soc. sec', 'ss#', 'ss #'];

export const recognizeIntlIds: Recognizer = (text, ctx) => {
  const { out } = ctx;
  FR_NIR.lastIndex = 0;
  for (let m = FR_NIR.exec(text); m; m = FR_NIR.exec(text)) {
    const month = Number(m[3]);
    if (month < 1 || (month > 12 && month < 20) || (month > 42 && month < 50)) continue;
    const body = m[1]! + m[2]! + m[3]! + m[4]! + m[5]! + m[6]!;
    if (frNirKey(body) === Number(m[7]))
      out.push({ start: m.index, end: m.index + m[0].length, type: 'FR_NIR', score: 0.9 });
  }

  UK_NINO.lastIndex = 0;
  for (let m = UK_NINO.exec(text); m; m = UK_NINO.exec(text)) {
    if (NINO_BAD_PREFIX.has(m[1]!)) continue;
    out.push({ start: m.index, end: m.index + m[0].length, type: 'UK_NINO', score: 0.8 });
  }

  US_SSN.lastIndex = 0;
  for (let m = US_SSN.exec(text); m; m = US_SSN.exec(text)) {
    const area = Number(m[1]);
    if (area === 0 || area === 666 || area >= 900 || m[3] === '00' || m[4] === '0000') continue;
    const end = m.index + m[0].length;
    const cued = hasCue(text, m.index, end, SSN_CUES);
    // Without a cue only the canonical dashed form is likely enough to be an SSN.
    const base = m[2] === '-' ? 0.55 : m[2] === ' ' ? 0.4 : 0.25;
    out.push({ start: m.index, end, type: 'US_SSN', score: cued ? Math.max(base, 0.7) : base });
  }
};
