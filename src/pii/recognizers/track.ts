import { luhnValid } from '../checksums.ts';
import type { Recognizer, RecognizerContext } from '../types.ts';

// Magnetic-stripe track data (PCI DSS 3.3.1.1: never stored after authorisation, whatever the
// policy). Track 1: "%B<PAN>^<NAME>^<YYMM><service code><discretionary>?"; track 2:
// ";<PAN>=<YYMM><service code><discretionary>?". Sentinels are optional (pasted text drops
// them); the separators, the date and service code and a Luhn-valid PAN make the match. The
// whole track is one span, scored above a bare card number, so nothing of it is left behind.

const TRACK1 = /%?B(\d{12,19})\^[^^\n]{2,26}\^\d{7}[^?\n]{0,79}\??/g;
const TRACK2 = /;?(\d{12,19})=\d{7}\d{0,40}\??/g;

export const recognizeTrackData: Recognizer = (text: string, ctx: RecognizerContext) => {
  for (const re of [TRACK1, TRACK2]) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (!luhnValid(m[1]!)) continue;
      ctx.out.push({ start: m.index, end: m.index + m[0].length, type: 'CARD_TRACK', score: 1 });
    }
  }
};
