import { describe, expect, it } from 'vitest';
import { guardLogText, redactForLog } from '../../src/pii/index.ts';

describe('guardLogText', () => {
  it('drops Luhn-valid card runs with any separators and IBANs', () => {
    expect(guardLogText('charge card=4111-1111-1111-1111 ok')).toBe('charge card=[PAYMENT_CARD] ok');
    expect(guardLogText('pan 4111111111111111')).toBe('pan [PAYMENT_CARD]');
    // Issuer-agnostic on purpose: any Luhn-valid 13-19 digit run goes.
    expect(guardLogText('x 1234 5678 9012 3452')).toBe('x [PAYMENT_CARD]');
    expect(guardLogText('iban=DE89 3704 0044 0532 0130 00;')).toBe('iban=[IBAN];');
    expect(guardLogText('NL91ABNA0417164300')).toBe('[IBAN]');
  });

  it('leaves ordinary log lines untouched', () => {
    const line = 'GET /orders/1234567 200 12ms tenant=42 trace=00f067aa0ba902b7 amount=1299.00';
    expect(guardLogText(line)).toBe(line);
    expect(guardLogText('id 4111 1111 1111 1112')).toBe('id 4111 1111 1111 1112');
  });
});

describe('redactForLog', () => {
  it('replaces every finding with its type', () => {
    expect(redactForLog('Mail max@example.de, Tel 0171 1234567')).toBe('Mail [EMAIL], Tel [PHONE]');
  });
});
