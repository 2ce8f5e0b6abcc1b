import { describe, expect, it } from 'vitest';
import type { EntityType, ScanOptions } from '../../src/pii/index.ts';
import { scanText } from '../../src/pii/index.ts';

function found(text: string, opts: ScanOptions = {}): Array<[EntityType, string]> {
  return scanText(text, opts).map((s) => [s.type, text.slice(s.start, s.end)]);
}

describe('validated recognizers', () => {
  it.each<[string, EntityType, string, ScanOptions?]>([
    ['Karte 4111 1111 1111 1111 bitte belasten', 'PAYMENT_CARD', '4111 1111 1111 1111'],
    ['card 3782-822463-10005 thanks', 'PAYMENT_CARD', '3782-822463-10005'],
    ['IBAN DE89 3704 0044 0532 0130 00.', 'IBAN', 'DE89 3704 0044 0532 0130 00'],
    ['iban gb82west12345698765432 ok', 'IBAN', 'gb82west12345698765432'],
    ['Mail an max.mustermann@example.de.', 'EMAIL', 'max.mustermann@example.de'],
    ['Tel. 0171 1234567', 'PHONE', '0171 1234567'],
    ['call +1 415-555-2671 now', 'PHONE', '+1 415-555-2671', { lang: 'en' }],
    ['server 192.168.10.1 down', 'IP_ADDRESS', '192.168.10.1'],
    ['v6 2001:db8::8a2e:370:7334 ok', 'IP_ADDRESS', '2001:db8::8a2e:370:7334'],
    ['Steuer-ID 86 095 742 719', 'DE_TAX_ID', '86 095 742 719'],
    ['RV-Nummer 10010490A443', 'DE_PENSION_NO', '10010490A443'],
    ['Personalausweis T220001293', 'DE_ID_CARD', 'T220001293'],
    ['USt-IdNr. DE136695976', 'VAT_ID', 'DE136695976'],
    ['NIR 1 84 12 76 451 089 46', 'FR_NIR', '1 84 12 76 451 089 46'],
    ['NI number AB 12 34 56 C', 'UK_NINO', 'AB 12 34 56 C'],
    ['SSN 123-45-6789', 'US_SSN', '123-45-6789'],
    ['CVV: 123', 'CARD_CVV', '123'],
    ['gültig bis 09/27', 'CARD_EXPIRY', '09/27'],
    ['BIC COBADEFFXXX', 'BIC', 'COBADEFFXXX'],
    ['geboren am 12.03.1985', 'DATE_OF_BIRTH', '12.03.1985'],
    ['Mein Passwort ist Sommer2024!', 'CREDENTIAL', 'Sommer2024!'],
    [
      'token ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      'CREDENTIAL',
      'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    ],
    ['Sehr geehrte Frau Müller,', 'PERSON', 'Müller'],
    ['Cordialement,\nJean Dupont', 'PERSON', 'Jean Dupont'],
    ['Lieferadresse: Hauptstraße 5, 10115 Berlin', 'POSTAL_ADDRESS', 'Hauptstraße 5, 10115 Berlin'],
    ['12 rue de la Paix, 75002 Paris', 'POSTAL_ADDRESS', '12 rue de la Paix, 75002 Paris', { lang: 'fr' }],
  ])('%s -> %s', (text, type, value, opts) => {
    expect(found(text, opts)).toContainEqual([type, value]);
  });

  it('finds known customer names exactly', () => {
    expect(found('Kunde Mustermann ruft an', { knownNames: ['Erika Mustermann'] })).toContainEqual([
      'PERSON',
      'Mustermann',
    ]);
    expect(found('Kunde Mustermannweg ruft an', { knownNames: ['Erika Mustermann'] })).toEqual([]);
  });

  it.each([
    'Bestellnummer 4111 1111 1111 1112',
    'Sendungsnummer 00340434161234567890',
    'UPS 1Z999AA10123456784 unterwegs',
    'Preis 1.299,00 € inkl. MwSt',
    'Lieferung am 14.05.2024',
    'Artikel ART-4711-XL',
    'Rechnung RE-2024-001234',
    'IBAN DE89 3704 0044 0532 0130 01 (Tippfehler)',
    'Steuer-ID 86095742718',
    'Ich habe mein Passwort vergessen',
    'Meine Frau hat angerufen',
    'Version 1.2.3 installiert',
  ])('hard negative stays unflagged: %s', (text) => {
    expect(found(text)).toEqual([]);
  });

  it('context words lower scores (order numbers) and raise them (card cue)', () => {
    const card = '4556 7375 8689 9855';
    const cued = scanText(`Kreditkarte ${card}`)[0]!;
    const neutral = scanText(`xx ${card}`)[0]!;
    expect(cued.score).toBeGreaterThan(neutral.score);
    expect(scanText(`Bestellnummer ${card}`)).toEqual([]);
  });

  it('resolves overlaps to one span', () => {
    const spans = scanText('IBAN DE89 3704 0044 0532 0130 00');
    expect(spans).toHaveLength(1);
  });
});
