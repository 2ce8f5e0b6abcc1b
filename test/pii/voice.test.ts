import { describe, expect, it } from 'vitest';
import type { EntityType, Lang } from '../../src/pii/index.ts';
import { scanText } from '../../src/pii/index.ts';

function spoken(text: string, lang: Lang): Array<[EntityType, string]> {
  return scanText(text, { lang, channel: 'voice' }).map((s) => [s.type, text.slice(s.start, s.end)]);
}

describe('voice transcripts', () => {
  it.each<[Lang, string, EntityType, string]>([
    [
      'de',
      'Die Karte ist vier eins eins eins, eins eins eins eins, äh, eins eins eins eins, eins eins eins eins. Danke.',
      'PAYMENT_CARD',
      'vier eins eins eins, eins eins eins eins, äh, eins eins eins eins, eins eins eins eins',
    ],
    [
      'en',
      'card number four one one one one one one one one one one one one one one one thanks',
      'PAYMENT_CARD',
      'four one one one one one one one one one one one one one one one',
    ],
    [
      'fr',
      'ma carte quatre un un un, un un un un, euh, un un un un, un un un un merci',
      'PAYMENT_CARD',
      'quatre un un un, un un un un, euh, un un un un, un un un un',
    ],
    [
      'de',
      'IBAN D wie Dora E wie Emil acht neun drei sieben null vier null null vier vier null fünf drei zwo null eins drei null null null',
      'IBAN',
      'D wie Dora E wie Emil acht neun drei sieben null vier null null vier vier null fünf drei zwo null eins drei null null null',
    ],
    [
      'en',
      'my IBAN is Golf Bravo eight two Whiskey Echo Sierra Tango one two three four five six nine eight seven six five four three two',
      'IBAN',
      'Golf Bravo eight two Whiskey Echo Sierra Tango one two three four five six nine eight seven six five four three two',
    ],
    [
      'fr',
      'IBAN F comme François R comme Raoul sept six trois zéro zéro zéro six zéro zéro zéro zéro un un deux trois quatre cinq six sept huit neuf zéro un huit neuf',
      'IBAN',
      'F comme François R comme Raoul sept six trois zéro zéro zéro six zéro zéro zéro zéro un un deux trois quatre cinq six sept huit neuf zéro un huit neuf',
    ],
    [
      'de',
      'Rückruf unter null eins sieben eins, eins zwo drei, vier fünf sechs sieben bitte',
      'PHONE',
      'null eins sieben eins, eins zwo drei, vier fünf sechs sieben',
    ],
    [
      'en',
      'call me on oh seven nine one one, one two three, four five six',
      'PHONE',
      'oh seven nine one one, one two three, four five six',
    ],
    [
      'en',
      'call me on zero seven nine one one, one two three, double four five',
      'PHONE',
      'zero seven nine one one, one two three, double four five',
    ],
    [
      'fr',
      'rappelez-moi au zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit',
      'PHONE',
      'zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit',
    ],
    [
      'de',
      'meine Steuer-ID acht sechs null neun fünf sieben vier zwei sieben eins neun',
      'DE_TAX_ID',
      'acht sechs null neun fünf sieben vier zwei sieben eins neun',
    ],
  ])('%s: %s', (lang, text, type, value) => {
    expect(spoken(text, lang)).toContainEqual([type, value]);
  });

  it('does not turn ordinary speech into numbers', () => {
    expect(spoken('Ich habe eine Frage zu einer Rechnung, zwei Artikel fehlen.', 'de')).toEqual([]);
    expect(spoken('I called two or three times about one parcel.', 'en')).toEqual([]);
  });
});
