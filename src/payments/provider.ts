// The payment-provider port: card data goes from the customer (hosted page or DTMF) straight to
// the provider's charge call, in memory, and only the outcome comes back: a token, brand, last
// four digits, a decline code. Vigil never stores, logs or returns the card itself.
import type { CardBrand, CardInput } from './cards.ts';

export interface ChargeRequest {
  /** Vigil's payment request id: the provider's idempotency key. */
  paymentId: string;
  amountMinor: number;
  currency: string;
  reference: string;
  card: CardInput;
}

export type DeclineCode =
  | 'card_declined'
  | 'insufficient_funds'
  | 'expired_card'
  | 'incorrect_cvc'
  | 'lost_card'
  | 'stolen_card'
  | 'processing_error';

export type ChargeResult =
  | { status: 'succeeded'; providerToken: string; brand: CardBrand; last4: string }
  | { status: 'declined'; declineCode: DeclineCode; brand: CardBrand; last4: string };

export interface PaymentProvider {
  readonly name: string;
  charge(r: ChargeRequest): Promise<ChargeResult>;
}
