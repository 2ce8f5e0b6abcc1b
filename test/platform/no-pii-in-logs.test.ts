// Logs never carry personal data or secrets: passwords, TOTP codes, session cookies, CSRF tokens,
// e-mail addresses, card numbers and message bodies are scanned for in every captured line.
import type pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardLogText } from '../../src/pii/index.ts';
import { createLogger, createLogScrubber } from '../../src/platform/logging.ts';
import { freshTotp, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { waitFor } from '../helpers/wait.ts';

describe('no personal data in logs', () => {
  let v: TestVigil;
  beforeAll(async () => {
    v = await startTestVigil({ logLevel: 'trace' });
    await v.tenant('logs-a');
  });
  afterAll(() => v.close());

  it('login, failed login, MFA and posted data leave no secret or personal value in the log', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'logs-a' }]);
    const secrets: string[] = [u.email, u.password, u.totpSecret];
    await v.call('POST', '/api/v1/auth/login', {
      email: u.email,
      password: 'Wrong-Password-4111111111111111',
    });
    secrets.push('Wrong-Password-4111111111111111', '4111111111111111');
    const a = await v.call('POST', '/api/v1/auth/login', { email: u.email, password: u.password });
    secrets.push(a.json.challenge);
    const code = freshTotp(u.totpSecret);
    const b = await v.call('POST', '/api/v1/auth/mfa/totp', { challenge: a.json.challenge, code });
    secrets.push(code, b.json.csrfToken);
    const cookie = /vigil_session=([^;]+)/.exec(b.headers.get('set-cookie') ?? '')![1]!;
    secrets.push(cookie);
    const s = { cookie: `vigil_session=${cookie}`, csrf: b.json.csrfToken, userAgent: 'vigil-test' };
    await v.call('GET', `/api/v1/me?email=${encodeURIComponent(u.email)}`, undefined, s);
    // Data posted to a route that refuses it still must not be logged.
    const body = {
      email: 'erika.mustermann@example.org',
      password: 'Geheim-Passwort-123!',
      text: 'Meine IBAN ist DE89 3704 0044 0532 0130 00',
    };
    await v.call('POST', '/api/v1/auth/login', body);
    await v.call('POST', '/api/v1/auth/mfa/totp', { challenge: 'x'.repeat(20), code: '4111 1111 1111 1111' });
    secrets.push(body.email, body.password, 'DE89370400440532013000', 'DE89 3704 0044 0532 0130 00');
    // Fastify logs a request's completion after the answer went out: wait until every one is in.
    await waitFor('every request logged as completed', () => {
      const count = (msg: string) => v.logs.filter((l) => l.includes(`"msg":"${msg}"`)).length;
      return count('incoming request') > 0 && count('incoming request') === count('request completed');
    });
    const all = v.logs.join('');
    expect(v.logs.length).toBeGreaterThan(8);
    for (const secret of secrets)
      expect(all.includes(secret), `log contains ${secret.slice(0, 4)}…`).toBe(false);
    expect(all).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/);
  });

  it('the scrubber removes e-mail addresses, cards and IBANs from free text and error messages', () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      destination: { write: (s: string) => void lines.push(s) } as pino.DestinationStream,
      guardText: guardLogText,
    });
    log.info({ detail: 'contact max@example.com' }, 'card 4111 1111 1111 1111 and DE89370400440532013000');
    log.error({ err: new Error('duplicate key (email)=(max@example.com)') }, 'failed');
    const out = lines.join('');
    expect(out).not.toContain('max@example.com');
    expect(out).not.toContain('4111 1111 1111 1111');
    expect(out).not.toContain('DE89370400440532013000');
    expect(createLogScrubber(guardLogText)('x@y.de')).toBe('[email]');
  });
});
