// Providers behind one port, with personal data withheld: the real Apertium binary (through a
// recording wrapper), and DeepL / LibreTranslate stand-ins speaking their HTTP protocols. What
// each provider received holds placeholders only; the restored output holds the original values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApertiumProvider,
  createDeeplProvider,
  createLibreTranslateProvider,
  detectLanguage,
  type TranslationProvider,
  translateWithheld,
} from '../../src/translation/index.ts';
import { type StandIn, startDeepl, startLibreTranslate } from './stand-ins.ts';

const IBAN = 'DE89 3704 0044 0532 0130 00';

function recording(p: TranslationProvider) {
  const received: string[] = [];
  const wrapped: TranslationProvider = {
    ...p,
    supports: p.supports,
    placeholder: p.placeholder,
    translate(text, from, to) {
      received.push(text);
      return p.translate(text, from, to);
    },
  };
  return { wrapped, received };
}

const expectNoneOf = (received: string[], values: string[]) => {
  expect(received.length).toBeGreaterThan(0);
  for (const r of received) for (const v of values) expect(r).not.toContain(v);
};

describe('translation providers with PII withheld', () => {
  let deepl: StandIn;
  let libre: StandIn;
  beforeAll(async () => {
    deepl = await startDeepl('test-key-0123');
    libre = await startLibreTranslate();
  });
  afterAll(async () => {
    await deepl.close();
    await libre.close();
  });

  it('Apertium es→en and en→es never receives the name, IBAN or phone', async () => {
    const { wrapped, received } = recording(createApertiumProvider());
    const es = `Hola, me llamo Juan García. Mi IBAN es ${IBAN} y mi teléfono es +49 170 1234567.`;
    const toEn = await translateWithheld(wrapped, es, 'es', 'en');
    expect(toEn.text).toMatch(/^Hello/);
    for (const v of ['Juan García', IBAN, '+49 170 1234567']) expect(toEn.text).toContain(v);
    const en = `Hello, my name is Peter Smith. My IBAN is ${IBAN} and my phone is +44 20 7946 0958.`;
    const toEs = await translateWithheld(wrapped, en, 'en', 'es');
    expect(toEs.text).toMatch(/^Hola/);
    for (const v of ['Peter Smith', IBAN, '+44 20 7946 0958']) expect(toEs.text).toContain(v);
    expectNoneOf(received, ['Juan', 'García', 'Peter', 'Smith', 'DE89', '1234567', '7946']);
    expect(received.join('\n')).toMatch(/⟦1⟧/);
    expect(toEn.lost + toEs.lost).toBe(0);
  });

  it('stored tokens and masked values are withheld like detected spans', async () => {
    const { wrapped, received } = recording(createApertiumProvider());
    const stored =
      'Hello [PERSON:tok_abcdefghij0123456789], your account DE** **** **** **** **30 00 is fine.';
    const out = await translateWithheld(wrapped, stored, 'en', 'es');
    expect(out.text).toContain('[PERSON:tok_abcdefghij0123456789]');
    expect(out.text).toContain('DE** **** **** **** **30 00');
    expectNoneOf(received, ['tok_', '**']);
  });

  it('DeepL (API v2, xml tag handling) receives placeholders only; XML specials survive', async () => {
    const p = createDeeplProvider({ url: deepl.url, apiKey: 'test-key-0123' });
    const de = `Guten Tag, ich heiße Erika Mustermann. Meine IBAN ist ${IBAN} & meine Telefonnummer ist 0170 1234567 <bitte>.`;
    const out = await translateWithheld(p, de, 'de', 'en');
    expect(out.text).toContain('good day');
    for (const v of ['Erika Mustermann', IBAN, '0170 1234567', '& ', '<please>'])
      expect(out.text).toContain(v);
    const sent = JSON.parse(deepl.received.at(-1)!) as { text: string[]; target_lang: string };
    expect(sent.target_lang).toBe('EN-GB');
    expect(sent.text[0]).toContain('<x i="1"/>');
    expect(sent.text[0]).toContain('&amp;');
    expectNoneOf(deepl.received, ['Erika', 'Mustermann', 'DE89', '1234567']);
  });

  it('a refused DeepL key is translation_unavailable', async () => {
    const p = createDeeplProvider({ url: deepl.url, apiKey: 'wrong' });
    await expect(translateWithheld(p, 'Guten Tag', 'de', 'en')).rejects.toMatchObject({
      code: 'translation_unavailable',
    });
  });

  it('LibreTranslate receives placeholders only', async () => {
    const p = createLibreTranslateProvider({ url: libre.url });
    const out = await translateWithheld(
      p,
      'Bitte rufen Sie mich an: 0170 1234567, Erika Mustermann.',
      'de',
      'en',
    );
    expect(out.text).toContain('please call you me');
    expect(out.text).toContain('0170 1234567');
    expectNoneOf(libre.received, ['1234567', 'Mustermann']);
  });

  it('unsupported pairs are refused before anything is sent', async () => {
    const { wrapped, received } = recording(createApertiumProvider());
    await expect(translateWithheld(wrapped, 'Guten Tag', 'de', 'en')).rejects.toMatchObject({
      code: 'translation_unsupported',
    });
    expect(received).toHaveLength(0);
  });

  it('detects de, en, es and fr; says null when it cannot tell', () => {
    expect(detectLanguage('Guten Tag, ich habe eine Frage zu meiner Rechnung.').language).toBe('de');
    expect(detectLanguage('Hello, I have a question about my invoice.').language).toBe('en');
    expect(detectLanguage('Hola, tengo una pregunta sobre mi factura, por favor.').language).toBe('es');
    expect(detectLanguage("Bonjour, j'ai une question sur ma facture, merci.").language).toBe('fr');
    expect(detectLanguage('12345 ok').language).toBeNull();
  });
});
