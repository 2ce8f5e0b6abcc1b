// Which tokenized names in a subject's own conversations are the subject's: the whole name or a
// part of it, never a name with a word the subject's name does not have.
import { describe, expect, it } from 'vitest';
import { ownValueMatcher } from '../../src/privacy/own-values.ts';

const profile = {
  name: 'Lena Schmidt',
  emails: [],
  phones: [],
  address: null,
  dateOfBirth: null,
  customerNumber: null,
};

describe('own values of a subject (Art. 15 export)', () => {
  const isOwn = ownValueMatcher(profile);
  it('takes the whole name and its parts as the subject’s own', () => {
    for (const v of ['Lena Schmidt', 'lena schmidt', 'Schmidt', 'Lena', 'SCHMIDT, Lena'])
      expect(isOwn('PERSON', v)).toBe(true);
  });
  it('keeps other people’s names masked', () => {
    for (const v of ['Max Schmidt', 'Lena Meyer', 'Schmitt', 'L']) expect(isOwn('PERSON', v)).toBe(false);
    expect(ownValueMatcher({ ...profile, name: null })('PERSON', 'Schmidt')).toBe(false);
  });
});
