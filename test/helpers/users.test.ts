// The test-account generator itself: every password it makes passes the real password policy
// with the inputs the tenancy service gives it (e-mail and display name), for many draws.
import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy } from '../../src/auth/passwords.ts';
import { testCredentials, testPassword } from './users.ts';

const DRAWS = 600;

describe('generated test credentials', () => {
  it('the policy refuses personal data the old generator could produce (the check is real)', () => {
    const inputs = ['u0a1b2c3d4e@staff.test', 'Test User'];
    for (const pw of ['pw-Xq9TesTz3kLmNo', 'pw-a8USERk2Jd7w1q', 'pw-k2StAfFj8Qw1zz', 'pw-U0A1B2C3D4EzqW'])
      expect(checkPasswordPolicy(pw, inputs)).toBe('contains_personal_info');
  });

  it(`${DRAWS} passwords pass the policy and share no character with e-mail or name`, () => {
    const emails = new Set<string>();
    const refused: string[] = [];
    for (let i = 0; i < DRAWS; i++) {
      const { email, displayName, password } = testCredentials(i % 2 ? 'Test User' : 'Agent');
      emails.add(email);
      const personal = `${email} ${displayName}`.toLowerCase();
      if (checkPasswordPolicy(password, [email, displayName]) !== null) refused.push(password);
      // No shared character, so no part or run of the e-mail or name of any length can occur.
      for (const c of password.toLowerCase()) expect(personal).not.toContain(c);
    }
    expect(refused).toEqual([]);
    expect(emails.size).toBe(DRAWS);
  });

  it('refuses to generate when personal data leaves too few characters', () => {
    expect(() => testPassword(['ghijkmnopqvwxyz', '!#$%&*+=?^~'])).toThrow(/characters left/);
  });
});
