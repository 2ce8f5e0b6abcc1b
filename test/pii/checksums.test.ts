import { describe, expect, it } from 'vitest';
import {
  atVatValid,
  dePensionCheckDigit,
  deTaxIdValid,
  deVatValid,
  frNirKey,
  icao731,
  luhnCheckDigit,
  luhnValid,
} from '../../src/pii/checksums.ts';

describe('check digits', () => {
  it('Luhn accepts test PANs and rejects a changed digit', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('378282246310005')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnCheckDigit('411111111111111')).toBe('1');
  });

  it('Steuer-ID: MOD 11,10 and the digit-repetition rule', () => {
    expect(deTaxIdValid('86095742719')).toBe(true);
    expect(deTaxIdValid('86095742718')).toBe(false);
    expect(deTaxIdValid('11111111111')).toBe(false);
    expect(deTaxIdValid('06095742719')).toBe(false);
  });

  it('pension number check digit (published example 10010490A443)', () => {
    expect(dePensionCheckDigit('10010490A44')).toBe(3);
  });

  it('ICAO 7-3-1 on the German ID card specimen T22000129 -> 3', () => {
    expect(icao731('T22000129')).toBe(3);
    expect(icao731('L01X00T47')).toBe(1);
  });

  it('VAT ids', () => {
    expect(deVatValid('136695976')).toBe(true);
    expect(deVatValid('136695977')).toBe(false);
    expect(atVatValid('13585627')).toBe(true);
  });

  it('French NIR key incl. Corsica', () => {
    expect(frNirKey('1841276451089')).toBe(46);
    const corsica = '2A';
    expect(frNirKey(`18412${corsica}451089`)).toBe(97 - Number(BigInt('1841219451089') % 97n));
  });
});
