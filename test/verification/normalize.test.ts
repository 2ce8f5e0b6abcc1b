// Normalization of spoken answers and the constant-time comparison behind verification attempts.
import { describe, expect, it } from 'vitest';
import { matches, normalizeDate, normalizePostcode } from '../../src/verification/normalize.ts';

describe('verification normalization', () => {
  it('reads the usual date spellings, day first when the year is last', () => {
    for (const s of [
      '1985-02-01',
      '1985/2/1',
      '01.02.1985',
      '1.2.1985',
      ' 01 . 02 . 1985 ',
      '01/02/1985',
      '01-02-1985',
    ])
      expect(normalizeDate(s), s).toBe('1985-02-01');
    for (const s of ['31.02.1985', '1985-13-01', '85-02-01', 'yesterday', ''])
      expect(normalizeDate(s), s).toBeNull();
  });

  it('ignores case and spacing in postcodes and customer numbers', () => {
    expect(normalizePostcode('sw1a 1aa')).toBe('SW1A1AA');
    expect(matches('postcode', ' 10 117 ', '10117')).toBe(true);
    expect(matches('customer_number', 'vf 40123', 'VF-40123')).toBe(true);
    expect(matches('customer_number', 'VF-40124', 'VF-40123')).toBe(false);
  });

  it('never matches a missing stored value or an unreadable answer', () => {
    expect(matches('date_of_birth', '01.02.1985', null)).toBe(false);
    expect(matches('date_of_birth', 'not a date', 'not a date')).toBe(false);
    expect(matches('postcode', '   ', '   ')).toBe(false);
  });
});
