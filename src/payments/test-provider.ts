// A local test provider that behaves like a real acquirer's test mode: it validates the card,
// tokenizes it (a random token, not derived from the number) and declines the well-known test
// cards the way real providers do. It never keeps a card; it never moves money.
import { randomBytes } from 'node:crypto';
import { brandOf } from './cards.ts';
import type { ChargeRequest, ChargeResult, DeclineCode, PaymentProvider } from './provider.ts';

/** Test cards with a fixed outcome (the numbers common provider sandboxes use). */
export const TEST_DECLINES: Readonly<Record<string, DeclineCode>> = {
  '4000000000000002': 'card_declined',
  '4000000000009995': 'insufficient_funds',
  '4000000000000069': 'expired_card',
  '4000000000000127': 'incorrect_cvc',
  '4000000000009987': 'lost_card',
  '4000000000009979': 'stolen_card',
  '4000000000000119': 'processing_error',
};

export function createTestPaymentProvider(): PaymentProvider {
  return {
    name: 'test',
    async charge(r: ChargeRequest): Promise<ChargeResult> {
      const brand = brandOf(r.card.number);
      const last4 = r.card.number.slice(-4);
      const decline = TEST_DECLINES[r.card.number];
      if (decline) return { status: 'declined', declineCode: decline, brand, last4 };
      // Amounts ending in 51 minor units are declined for funds: lets tests drive a decline by amount.
      if (r.amountMinor % 100 === 51)
        return { status: 'declined', declineCode: 'insufficient_funds', brand, last4 };
      return {
        status: 'succeeded',
        providerToken: `tok_test_${randomBytes(12).toString('hex')}`,
        brand,
        last4,
      };
    },
  };
}
