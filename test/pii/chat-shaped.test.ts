import { describe, expect, it } from 'vitest';
import type { EntityType, Lang } from '../../src/pii/index.ts';
import { scanText } from '../../src/pii/index.ts';
import { loadNer } from '../../src/pii/ner/model.ts';

// Text no cue-based rule was written for: names mid-sentence and in lower case, chat-shaped addresses,
// international phone formats, and spoken forms in call transcripts (issue 22).

type Found = Array<[EntityType, string]>;

function found(text: string, lang: Lang, channel?: 'voice'): Found {
  return scanText(text, { lang, ...(channel ? { channel } : {}) }).map((s) => [
    s.type,
    text.slice(s.start, s.end),
  ]);
}

describe('trained recogniser: names without a cue', () => {
  it.each<[Lang, string, string]>([
    ['de', 'hi ich bin anna schmidt aus köln', 'anna schmidt'],
    ['de', 'kannst du das bitte an peter müller weiterleiten, danke', 'peter müller'],
    ['en', "MY NAME IS JOHN O'BRIEN", "JOHN O'BRIEN"],
    ['en', 'I spoke with Sarah Connor yesterday about my order', 'Sarah Connor'],
    ['fr', 'bonjour je suis marie dupont de lyon', 'marie dupont'],
  ])('%s: %s', (lang, text, name) => {
    expect(found(text, lang)).toContainEqual(['PERSON', name]);
  });

  it('finds places and organisations as their own types', () => {
    expect(found('hi ich bin anna schmidt aus köln', 'de')).toContainEqual(['LOCATION', 'köln']);
    expect(found('I spoke with Sarah Connor yesterday about my order from Amazon', 'en')).toContainEqual([
      'ORGANIZATION',
      'Amazon',
    ]);
  });

  it('leaves ordinary support text, months, cue words and codes alone', () => {
    expect(found('Ich habe eine Frage zu meiner Rechnung vom März, zwei Artikel fehlen.', 'de')).toEqual([]);
    expect(found('IBAN DE89 3704 0044 0532 0130 01 (Tippfehler)', 'de')).toEqual([]);
    expect(found('Ticket A583358543 is still open since March', 'en')).toEqual([]);
  });

  it('loads the shipped model once', () => {
    const a = loadNer();
    expect(loadNer()).toBe(a);
    expect(a.weights.emit.length).toBe((1 << a.weights.bits) * 7);
  });
});

describe('addresses', () => {
  it.each<[Lang, string, string]>([
    ['de', 'ich wohne in der hauptstraße 5 in 50667 köln', 'hauptstraße 5 in 50667 köln'],
    [
      'de',
      'bitte an c/o Müller, Bahnhofstr. 12a, Whg. 3, 8001 Zürich',
      'c/o Müller, Bahnhofstr. 12a, Whg. 3, 8001 Zürich',
    ],
    ['de', 'Postfach 1234, 10115 Berlin', 'Postfach 1234, 10115 Berlin'],
    [
      'de',
      'Mariahilfer Straße 45, Stiege 2 Tür 5, 1060 Wien',
      'Mariahilfer Straße 45, Stiege 2 Tür 5, 1060 Wien',
    ],
    ['en', 'send it to 221b baker street london nw1 6xe', '221b baker street london nw1 6xe'],
    [
      'en',
      'my address is 1600 Pennsylvania Avenue NW, Apt 4B, Washington, DC 20500',
      '1600 Pennsylvania Avenue NW, Apt 4B, Washington, DC 20500',
    ],
    ['en', 'PO Box 789, Springfield, IL 62704', 'PO Box 789, Springfield, IL 62704'],
    ['fr', "j'habite 12 rue de la paix 75002 paris", '12 rue de la paix 75002 paris'],
    ['fr', 'BP 45, 69001 Lyon', 'BP 45, 69001 Lyon'],
  ])('%s: %s', (lang, text, address) => {
    expect(found(text, lang)).toContainEqual(['POSTAL_ADDRESS', address]);
  });

  it('does not take counts and durations for addresses', () => {
    expect(found('it took 2 days on the way and 3 more days', 'en')).toEqual([]);
    expect(found('wir haben 5000 stück bestellt', 'de')).toEqual([]);
  });
});

describe('phones', () => {
  it.each<[Lang, string, string]>([
    ['en', 'call me at +44 20 7946 0958 please', '+44 20 7946 0958'],
    ['en', 'my number is (555) 123-4567 x89', '(555) 123-4567 x89'],
    ['en', 'reach me on 001-202-555-0147', '001-202-555-0147'],
    ['en', 'call 212-555-0199 ext. 12', '212-555-0199 ext. 12'],
    ['de', 'Tel. 030 23125 177 Durchwahl 12', '030 23125 177 Durchwahl 12'],
    ['de', 'tel 030.2312.5177', '030.2312.5177'],
    ['de', 'ruf an: +49 (0)30 23125-177', '+49 (0)30 23125-177'],
  ])('%s: %s', (lang, text, phone) => {
    expect(found(text, lang)).toContainEqual(['PHONE', phone]);
  });

  it('an order number shaped like a US phone number stays an order number', () => {
    expect(found('order 555-123-4567 shipped', 'en')).toEqual([]);
  });
});

describe('voice: spelled names, spoken codes and e-mail addresses', () => {
  it.each<[Lang, string, EntityType, string]>([
    [
      'de',
      'mein name ist S wie Samuel, C wie Cäsar, H wie Heinrich, M wie Martha, I wie Ida, D wie Dora, T wie Theodor',
      'PERSON',
      'S wie Samuel, C wie Cäsar, H wie Heinrich, M wie Martha, I wie Ida, D wie Dora, T wie Theodor',
    ],
    [
      'en',
      'my surname is Sierra Charlie Hotel Mike India Delta Tango',
      'PERSON',
      'Sierra Charlie Hotel Mike India Delta Tango',
    ],
    [
      'fr',
      "je m'appelle D comme Denise U comme Ursule P comme Pierre O comme Oscar N comme Nicolas T comme Thérèse",
      'PERSON',
      'D comme Denise U comme Ursule P comme Pierre O comme Oscar N comme Nicolas T comme Thérèse',
    ],
    ['de', 'die Prüfziffer ist sieben drei sieben', 'CARD_CVV', 'sieben drei sieben'],
    ['en', 'the security code is four two one', 'CARD_CVV', 'four two one'],
    ['fr', "le cryptogramme c'est cinq huit neuf", 'CARD_CVV', 'cinq huit neuf'],
    [
      'de',
      'meine mail ist anna punkt schmidt at web punkt de danke',
      'EMAIL',
      'anna punkt schmidt at web punkt de',
    ],
    [
      'en',
      'my email is john underscore doe at gmail dot com',
      'EMAIL',
      'john underscore doe at gmail dot com',
    ],
    [
      'fr',
      'mon adresse est marie point dupont arobase orange point fr',
      'EMAIL',
      'marie point dupont arobase orange point fr',
    ],
    [
      'de',
      'meine IBAN ist de acht neun drei sieben null vier null null vier vier null fünf drei zwei null eins drei null null null',
      'IBAN',
      'de acht neun drei sieben null vier null null vier vier null fünf drei zwei null eins drei null null null',
    ],
  ])('%s: %s', (lang, text, type, value) => {
    expect(found(text, lang, 'voice')).toContainEqual([type, value]);
  });

  it('a spelled IBAN country code is not a name', () => {
    const text =
      'IBAN D wie Dora E wie Emil acht neun drei sieben null vier null null vier vier null fünf drei zwo null eins drei null null null';
    expect(found(text, 'de', 'voice').map(([t]) => t)).toEqual(['IBAN']);
  });
});
