// Card checks every provider needs before a card leaves Vigil: digits only, Luhn, brand, expiry,
// CVC length. Pure functions; nothing here keeps, returns or logs a card number.

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'unknown';

export interface CardInput {
  /** Digits only (spaces and dashes removed by parseCard). */
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

export type CardProblem = 'invalid_number' | 'invalid_expiry' | 'expired_card' | 'invalid_cvc';

export function luhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export function brandOf(digits: string): CardBrand {
  if (/^4/.test(digits)) return 'visa';
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^(6011|65|64[4-9])/.test(digits)) return 'discover';
  return 'unknown';
}

/** "12/30", "1230", "12 / 2030" → month and four-digit year; null when not a month/year. */
export function parseExpiry(s: string): { month: number; year: number } | null {
  const m = /^\s*(\d{1,2})\s*\/?\s*(\d{2}|\d{4})\s*$/.exec(s);
  if (!m) return null;
  const month = Number(m[1]);
  const year = m[2]!.length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
  if (month < 1 || month > 12) return null;
  return { month, year };
}

/** Normalizes what a customer typed (or keyed) into a card, or names the first problem. */
export function parseCard(
  raw: { number: string; expiry: string; cvc: string },
  now = new Date(),
): { card: CardInput } | { problem: CardProblem } {
  const number = raw.number.replace(/[\s-]/g, '');
  if (!luhnValid(number)) return { problem: 'invalid_number' };
  const exp = parseExpiry(raw.expiry);
  if (!exp) return { problem: 'invalid_expiry' };
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth() + 1;
  if (exp.year < y || (exp.year === y && exp.month < m)) return { problem: 'expired_card' };
  if (exp.year > y + 20) return { problem: 'invalid_expiry' };
  const cvcLength = brandOf(number) === 'amex' ? 4 : 3;
  if (!new RegExp(`^\\d{${cvcLength}}$`).test(raw.cvc.trim())) return { problem: 'invalid_cvc' };
  return { card: { number, expMonth: exp.month, expYear: exp.year, cvc: raw.cvc.trim() } };
}
