// Card checks and the local test provider: Luhn, brands, expiry, CVC length, and realistic
// outcomes for the well-known test cards.
import { describe, expect, it } from 'vitest';
import { brandOf, luhnValid, parseCard, parseExpiry } from '../../src/payments/cards.ts';
import { createTestPaymentProvider, TEST_DECLINES } from '../../src/payments/test-provider.ts';

const now = new Date('2026-11-23T12:00:00Z');

describe('card checks', () => {
  it('Luhn accepts real test numbers and rejects one-digit changes', () => {
    for (const n of ['4242424242424242', '5555555555554444', '378282246310005', '6011111111111117'])
      expect(luhnValid(n)).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(luhnValid('4242')).toBe(false);
    expect(luhnValid('42424242424242x2')).toBe(false);
  });

  it('knows the brands', () => {
    expect(brandOf('4242424242424242')).toBe('visa');
    expect(brandOf('5555555555554444')).toBe('mastercard');
    expect(brandOf('2223003122003222')).toBe('mastercard');
    expect(brandOf('378282246310005')).toBe('amex');
    expect(brandOf('6011111111111117')).toBe('discover');
  });

  it('parses expiry dates and refuses past or impossible ones', () => {
    expect(parseExpiry('12/30')).toEqual({ month: 12, year: 2030 });
    expect(parseExpiry('0731')).toEqual({ month: 7, year: 2031 });
    expect(parseExpiry('13/30')).toBeNull();
    expect(parseCard({ number: '4242 4242 4242 4242', expiry: '10/26', cvc: '123' }, now)).toEqual({
      problem: 'expired_card',
    });
    expect(parseCard({ number: '4242424242424242', expiry: '11/26', cvc: '123' }, now)).toMatchObject({
      card: { expMonth: 11, expYear: 2026 },
    });
    expect(parseCard({ number: '4242424242424242', expiry: '11/99', cvc: '123' }, now)).toEqual({
      problem: 'invalid_expiry',
    });
  });

  it('wants three CVC digits, four for American Express', () => {
    expect(parseCard({ number: '4242424242424242', expiry: '12/30', cvc: '1234' }, now)).toEqual({
      problem: 'invalid_cvc',
    });
    expect(parseCard({ number: '378282246310005', expiry: '12/30', cvc: '123' }, now)).toEqual({
      problem: 'invalid_cvc',
    });
    expect(parseCard({ number: '378282246310005', expiry: '12/30', cvc: '1234' }, now)).toMatchObject({
      card: { number: '378282246310005' },
    });
    expect(parseCard({ number: '4242424242424241', expiry: '12/30', cvc: '123' }, now)).toEqual({
      problem: 'invalid_number',
    });
  });
});

describe('local test provider', () => {
  const provider = createTestPaymentProvider();
  const charge = (number: string, amountMinor = 1000) =>
    provider.charge({
      paymentId: 'p',
      amountMinor,
      currency: 'EUR',
      reference: 'INV-1',
      card: { number, expMonth: 12, expYear: 2030, cvc: '123' },
    });

  it('tokenizes good cards with a random token that is not derived from the number', async () => {
    const a = await charge('4242424242424242');
    const b = await charge('4242424242424242');
    expect(a).toMatchObject({ status: 'succeeded', brand: 'visa', last4: '4242' });
    if (a.status !== 'succeeded' || b.status !== 'succeeded') throw new Error('unreachable');
    expect(a.providerToken).toMatch(/^tok_test_[0-9a-f]{24}$/);
    expect(a.providerToken).not.toBe(b.providerToken);
    expect(a.providerToken).not.toContain('4242');
  });

  it('declines the test decline cards with their reasons', async () => {
    for (const [number, code] of Object.entries(TEST_DECLINES))
      expect(await charge(number)).toEqual({
        status: 'declined',
        declineCode: code,
        brand: 'visa',
        last4: number.slice(-4),
      });
    expect(await charge('5555555555554444', 2051)).toMatchObject({
      status: 'declined',
      declineCode: 'insufficient_funds',
      brand: 'mastercard',
    });
  });
});
