// Normalization and constant-time comparison of knowledge factors. An answer typed by an agent
// and the stored value go through the same normalization; both are then HMAC'd under a fresh
// random key and compared with timingSafeEqual, so neither length nor content leaks through time.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Knowledge factors: compared with a stored profile value. */
export const KNOWLEDGE_FACTORS = ['date_of_birth', 'postcode', 'customer_number'] as const;
export type KnowledgeFactor = (typeof KNOWLEDGE_FACTORS)[number];
/** Every factor a policy may name: knowledge, a one-time code sent to the contact on file, a signed-in visitor. */
export const FACTORS = [...KNOWLEDGE_FACTORS, 'one_time_code', 'signed_in_visitor'] as const;
export type Factor = (typeof FACTORS)[number];
export const isKnowledgeFactor = (f: Factor): f is KnowledgeFactor =>
  (KNOWLEDGE_FACTORS as readonly string[]).includes(f);
export const UNLOCKABLE = ['dateOfBirth', 'address'] as const;
export type Unlockable = (typeof UNLOCKABLE)[number];

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Dates as callers say them: 1985-02-01, 1985/2/1, 01.02.1985, 1.2.1985, 01/02/1985, 01-02-1985
 * (day first when the year is last). Returns YYYY-MM-DD, or null when it is not a real date.
 */
export function normalizeDate(input: string): string | null {
  const s = input.normalize('NFKC').replace(/\s+/g, '');
  let y: number;
  let m: number;
  let d: number;
  let r = /^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$/.exec(s);
  if (r) [y, m, d] = [Number(r[1]), Number(r[2]), Number(r[3])];
  else {
    r = /^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$/.exec(s);
    if (!r) return null;
    [d, m, y] = [Number(r[1]), Number(r[2]), Number(r[3])];
  }
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return `${y}-${pad(m)}-${pad(d)}`;
}

/** Postcodes: case and spacing do not matter ("sw1a 1aa" = "SW1A1AA", "10 115" = "10115"). */
export const normalizePostcode = (s: string): string | null => {
  const v = s
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s-]+/g, '');
  return v.length ? v : null;
};

/** Customer numbers: case, spaces and hyphens do not matter ("ac 77001" = "AC-77001"). */
export const normalizeCustomerNumber = (s: string): string | null => {
  const v = s
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s-]+/g, '');
  return v.length ? v : null;
};

export function normalizeFactor(factor: KnowledgeFactor, value: string): string | null {
  switch (factor) {
    case 'date_of_birth':
      return normalizeDate(value);
    case 'postcode':
      return normalizePostcode(value);
    case 'customer_number':
      return normalizeCustomerNumber(value);
  }
}

/**
 * True when both normalize to the same non-empty value. Always does the same work (two HMACs and
 * one timingSafeEqual over 32-byte digests), whether or not a value is missing.
 */
export function matches(factor: KnowledgeFactor, answer: string, stored: string | null): boolean {
  const a = normalizeFactor(factor, answer);
  const b = stored === null ? null : normalizeFactor(factor, stored);
  const key = randomBytes(32);
  const digest = (v: string | null, tag: string) =>
    createHmac('sha256', key)
      .update(v === null ? `\u0000missing:${tag}` : `v:${v}`, 'utf8')
      .digest();
  const equal = timingSafeEqual(digest(a, 'answer'), digest(b, 'stored'));
  return equal && a !== null && b !== null;
}
