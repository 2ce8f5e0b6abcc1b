import fc from 'fast-check';
import { composeIBAN } from 'ibantools';
import { describe, expect, it } from 'vitest';
import { luhnCheckDigit, luhnValid } from '../../src/pii/checksums.ts';
import { scanText } from '../../src/pii/index.ts';

// Filler words around the identifier: letters and punctuation only, so they cannot extend a number.
const filler = fc
  .array(
    fc.constantFrom('Hallo', 'bitte', 'hier', 'ist', 'meine', 'Nummer', 'card', 'merci', '.', ',', ':', 'ok'),
    { maxLength: 8 },
  )
  .map((w) => w.join(' '));

const visaOrMc = fc
  .tuple(
    fc.constantFrom('4', '51', '52', '53', '54', '55', '2221', '2720'),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 14 }),
  )
  .map(([prefix, digits]) => {
    const body = (prefix + digits.join('')).slice(0, 15);
    return body + luhnCheckDigit(body);
  });

const deIban = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 })
  .map((d) => composeIBAN({ countryCode: 'DE', bban: d.join('') })!);

describe('property: validated identifiers', () => {
  it('a valid card embedded in random text is found', () => {
    fc.assert(
      fc.property(filler, visaOrMc, fc.constantFrom(' ', '-', ''), filler, (before, card, sep, after) => {
        const shown = sep ? card.replace(/(\d{4})(?=\d)/g, `$1${sep}`) : card;
        const text = `${before} ${shown} ${after}`;
        const spans = scanText(text).filter((s) => s.type === 'PAYMENT_CARD');
        expect(spans.map((s) => text.slice(s.start, s.end))).toContain(shown);
      }),
      { numRuns: 300 },
    );
  });

  it('a valid IBAN embedded in random text is found', () => {
    fc.assert(
      fc.property(filler, deIban, fc.boolean(), filler, (before, iban, spaced, after) => {
        const shown = spaced ? iban.replace(/(.{4})(?=.)/g, '$1 ') : iban;
        const text = `${before} ${shown} ${after}`;
        expect(scanText(text).map((s) => [s.type, text.slice(s.start, s.end)])).toContainEqual([
          'IBAN',
          shown,
        ]);
      }),
      { numRuns: 300 },
    );
  });

  it('digit strings failing Luhn are never reported as cards', () => {
    fc.assert(
      fc.property(
        filler,
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 13, maxLength: 19 }),
        (before, d) => {
          const digits = d.join('');
          fc.pre(!luhnValid(digits));
          const text = `${before} ${digits}`;
          expect(scanText(text).filter((s) => s.type === 'PAYMENT_CARD')).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('IBANs with a wrong check number are never reported', () => {
    fc.assert(
      fc.property(deIban, fc.integer({ min: 1, max: 96 }), (iban, delta) => {
        const check = String((Number(iban.slice(2, 4)) + delta) % 97).padStart(2, '0');
        const broken = `DE${check}${iban.slice(4)}`;
        fc.pre(broken !== iban);
        expect(scanText(`IBAN ${broken}`).filter((s) => s.type === 'IBAN')).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
