import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PiiPolicy } from '../../src/pii/index.ts';
import { applyPolicy, defaultPolicy, OPERATORS, scanText, validatePolicy } from '../../src/pii/index.ts';

const TEXT = 'Karte 4111 1111 1111 1111, CVV 737, IBAN DE89 3704 0044 0532 0130 00, Mail max@example.de';
const KEY = Buffer.from('tenant-key-0123456789abcdef');

describe('applyPolicy', () => {
  it('default policy: cards/CVV redacted, IBAN masked, e-mail tokenized (privacy by default)', async () => {
    const out = await applyPolicy(TEXT, scanText(TEXT), defaultPolicy, 'chat', {
      tokenize: async (type) => `[${type}:tok_1]`,
    });
    expect(out.text).toContain('[PAYMENT_CARD]');
    expect(out.text).toContain('CVV [CARD_CVV]');
    expect(out.text).toContain('**** **** **** **** **30 00');
    expect(out.text).toContain('Mail [EMAIL:tok_1]');
    expect(out.text).not.toContain('max@example.de');
    expect(out.findings.map((f) => f.operator)).toEqual(['redact', 'redact', 'mask', 'tokenize']);
  });

  it('default policy tokenizes person, phone, address and birth date; keeps organisations', async () => {
    const text = 'hi ich bin anna schmidt, tel 0171 1234567, kunde bei der Telekom';
    const out = await applyPolicy(text, scanText(text, { lang: 'de' }), defaultPolicy, 'chat', {
      tokenize: async (type) => `[${type}:tok]`,
    });
    expect(out.text).toBe('hi ich bin [PERSON:tok], tel [PHONE:tok], kunde bei der Telekom');
    for (const t of ['PERSON', 'PHONE', 'POSTAL_ADDRESS', 'DATE_OF_BIRTH', 'EMAIL'] as const)
      expect(defaultPolicy.entities[t]?.operator, t).toBe('tokenize');
    expect(defaultPolicy.entities.ORGANIZATION?.operator).toBe('keep');
  });

  it('mask keeps only the last 4 of a card', async () => {
    const policy: PiiPolicy = {
      ...defaultPolicy,
      entities: { ...defaultPolicy.entities, PAYMENT_CARD: { operator: 'mask' } },
    };
    const out = await applyPolicy(TEXT, scanText(TEXT), policy, undefined, {});
    expect(out.text).toContain('**** **** **** 1111');
  });

  it('tokenize hands values to the callback; pseudonymize is stable and keyed', async () => {
    const policy: PiiPolicy = {
      defaultOperator: 'keep',
      minScore: 0.5,
      entities: { EMAIL: { operator: 'tokenize' }, IBAN: { operator: 'pseudonymize' } },
    };
    const seen: string[] = [];
    const hooks = {
      tokenize: async (_t: string, v: string) => {
        seen.push(v);
        return `tok_${seen.length}`;
      },
      pseudonymKey: KEY,
    };
    const a = await applyPolicy(TEXT, scanText(TEXT), policy, 'email', hooks);
    expect(seen).toEqual(['max@example.de']);
    expect(a.text).toContain('tok_1');
    const pseudo = a.text.match(/<IBAN_[0-9a-f]{8}>/)?.[0];
    expect(pseudo).toBeDefined();
    const again = await applyPolicy(
      'DE89370400440532013000',
      scanText('DE89370400440532013000'),
      policy,
      'email',
      hooks,
    );
    expect(again.text).toBe(pseudo);
    const otherKey = await applyPolicy(
      'DE89370400440532013000',
      scanText('DE89370400440532013000'),
      policy,
      'email',
      { pseudonymKey: Buffer.from('other') },
    );
    expect(otherKey.text).not.toBe(pseudo);
  });

  it('channel overrides win over the tenant rule', async () => {
    // A tenant that opted out of tokenizing e-mail addresses, except on voice.
    const policy: PiiPolicy = {
      ...defaultPolicy,
      entities: { ...defaultPolicy.entities, EMAIL: { operator: 'keep' } },
      channels: { voice: { entities: { EMAIL: { operator: 'redact' } } } },
    };
    expect((await applyPolicy(TEXT, scanText(TEXT), policy, 'voice', {})).text).toContain('[EMAIL]');
    expect((await applyPolicy(TEXT, scanText(TEXT), policy, 'chat', {})).text).toContain('max@example.de');
  });

  it('PCI rule: whatever the policy, the full PAN and the CVV never come out', async () => {
    const pan = '4111111111111111';
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...OPERATORS),
        fc.constantFrom(...OPERATORS),
        fc.constantFrom(...OPERATORS),
        async (card, cvv, def) => {
          const policy = {
            defaultOperator: def,
            minScore: 0,
            entities: { PAYMENT_CARD: { operator: card }, CARD_CVV: { operator: cvv } },
          } as PiiPolicy;
          const seen: string[] = [];
          const hooks = {
            tokenize: async (_t: string, v: string) => {
              seen.push(v);
              return `tok_${v}`;
            },
            pseudonymKey: KEY,
          };
          for (const candidate of [policy, validatePolicy(policy).policy]) {
            const out = await applyPolicy(TEXT, scanText(TEXT), candidate, 'chat', hooks);
            expect(out.text.replace(/\D/g, '')).not.toContain(pan);
            expect(out.text).not.toMatch(/CVV 737/);
            expect(seen.join(' ')).not.toMatch(/4111|737/);
          }
        },
      ),
    );
  });
});

describe('validatePolicy', () => {
  it('coerces and reports PCI violations and bad input', () => {
    const { policy, warnings } = validatePolicy({
      defaultOperator: 'keep',
      minScore: 2,
      entities: {
        PAYMENT_CARD: { operator: 'tokenize' },
        CARD_CVV: { operator: 'mask' },
        NOPE: { operator: 'keep' },
        IBAN: { operator: 'shred' },
      },
      channels: { voice: { entities: { PAYMENT_CARD: { operator: 'keep' } } } },
    });
    expect(policy.entities.PAYMENT_CARD?.operator).toBe('redact');
    expect(policy.entities.CARD_CVV?.operator).toBe('redact');
    expect(policy.channels?.voice?.entities?.PAYMENT_CARD?.operator).toBe('redact');
    expect(policy.minScore).toBe(0.5);
    expect(warnings.join('\n')).toMatch(/PCI/);
    expect(warnings.join('\n')).toMatch(/NOPE/);
    expect(warnings.join('\n')).toMatch(/IBAN/);
  });

  it('accepts the default policy without warnings', () => {
    expect(validatePolicy(defaultPolicy).warnings).toEqual([]);
  });
});
