// Sign-in: e-mail and password, then a TOTP code (or a recovery code). First-time enrolment shows
// the QR code and the otpauth URI, and afterwards the recovery codes, once. A passkey can replace
// the code; a single sign-on that still needs Vigil's factor arrives as `#sso-challenge=…`.
import { startAuthentication } from '@simplewebauthn/browser';
import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api';
import { LOCALES, type Locale, rememberPickedLocale, useI18n } from '../i18n';
import { useSession } from '../session';
import type { User } from '../types';
import { Alert, Button, errorText, Input, useToast } from '../ui';

interface LoginAnswer {
  mfa: 'totp' | 'totp_enrol';
  challenge: string;
  otpauthUri?: string;
  qrDataUrl?: string;
}
interface MfaAnswer {
  csrfToken: string;
  user: User;
  recoveryCodes?: string[];
}

type Step =
  | { kind: 'password' }
  | { kind: 'code'; login: LoginAnswer; recovery: boolean }
  | { kind: 'codes'; answer: MfaAnswer };

/** What the SSO callback left in the fragment: a pending second factor, or a refusal code. */
function ssoFragment(): { step: Step; error: string | null } {
  const f = new URLSearchParams(window.location.hash.slice(1));
  const challenge = f.get('sso-challenge');
  const error = f.get('sso-error');
  if (challenge || error) window.history.replaceState(null, '', window.location.pathname);
  if (challenge)
    return { step: { kind: 'code', login: { mfa: 'totp', challenge }, recovery: false }, error: null };
  return { step: { kind: 'password' }, error };
}

export function SignInPage({ reason }: { reason: string | null }) {
  const { t, locale, setLocale } = useI18n();
  const session = useSession();
  const toast = useToast();
  const [sso] = useState(ssoFragment);
  const [step, setStep] = useState<Step>(sso.step);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(
    sso.error ? errorText(t, new ApiError(sso.error, 401, '')) : null,
  );

  const fail = (e: unknown) => setError(errorText(t, e));

  const submitPassword = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const login = await api<LoginAnswer>('POST', '/api/v1/auth/login', { email: email.trim(), password });
      setPassword('');
      setCode('');
      setStep({ kind: 'code', login, recovery: false });
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };

  const submitCode = async (e: FormEvent) => {
    e.preventDefault();
    if (step.kind !== 'code') return;
    setError(null);
    setBusy(true);
    try {
      const path = step.recovery ? '/api/v1/auth/mfa/recovery' : '/api/v1/auth/mfa/totp';
      const answer = await api<MfaAnswer>('POST', path, {
        challenge: step.login.challenge,
        code: code.replace(/\s+/g, ''),
      });
      setCode('');
      if (answer.recoveryCodes?.length) setStep({ kind: 'codes', answer });
      else session.signedIn(answer.user, answer.csrfToken);
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'unauthenticated' || err.code === 'session_expired')) {
        setStep({ kind: 'password' });
        setError(t('signIn.challengeExpired'));
      } else fail(err);
    } finally {
      setBusy(false);
    }
  };

  const passkeySignIn = async () => {
    if (step.kind !== 'code') return;
    setError(null);
    setBusy(true);
    try {
      const { challenge } = step.login;
      const { options } = await api<{ options: Parameters<typeof startAuthentication>[0]['optionsJSON'] }>(
        'POST',
        '/api/v1/auth/mfa/webauthn/options',
        { challenge },
      );
      const credential = await startAuthentication({ optionsJSON: options });
      const answer = await api<MfaAnswer>('POST', '/api/v1/auth/mfa/webauthn', { challenge, credential });
      session.signedIn(answer.user, answer.csrfToken);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };

  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      toast(t('common.copied'));
    } catch {
      toast(t('common.copyFailed'), 'danger');
    }
  };

  return (
    <div className="auth-page">
      <main className="auth-card" id="main">
        <div className="auth-brand">
          <span className="brand-mark" aria-hidden="true">
            V
          </span>
          <span>Vigil</span>
        </div>
        <h1>{step.kind === 'codes' ? t('signIn.recoveryCodesTitle') : t('signIn.title')}</h1>
        {reason && step.kind === 'password' && (
          <Alert tone="warning">{errorText(t, new ApiError(reason, 401, ''))}</Alert>
        )}
        {error && <Alert>{error}</Alert>}

        {step.kind === 'password' && (
          <form onSubmit={submitPassword} className="stack" noValidate>
            <Input
              label={t('signIn.email')}
              type="email"
              name="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
            <Input
              label={t('signIn.password')}
              type="password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <Button type="submit" variant="primary" busy={busy} disabled={!email || !password}>
              {t('signIn.continue')}
            </Button>
          </form>
        )}

        {step.kind === 'code' && (
          <form onSubmit={submitCode} className="stack" noValidate>
            {step.login.mfa === 'totp_enrol' && !step.recovery && (
              <div className="enrol">
                <p>{t('signIn.enrolIntro')}</p>
                {step.login.qrDataUrl && (
                  <img
                    className="qr"
                    src={step.login.qrDataUrl}
                    alt={t('signIn.qrAlt')}
                    width={200}
                    height={200}
                  />
                )}
                {step.login.otpauthUri && (
                  <div className="copy-row">
                    <Input label={t('signIn.otpauthUri')} readOnly value={step.login.otpauthUri} />
                    <Button size="sm" onClick={() => void copy(step.login.otpauthUri!)}>
                      {t('common.copy')}
                    </Button>
                  </div>
                )}
              </div>
            )}
            <Input
              label={step.recovery ? t('signIn.recoveryCode') : t('signIn.totpCode')}
              hint={step.recovery ? t('signIn.recoveryHint') : t('signIn.totpHint')}
              name="code"
              autoComplete="one-time-code"
              inputMode={step.recovery ? 'text' : 'numeric'}
              required
              autoFocus
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
            <Button type="submit" variant="primary" busy={busy} disabled={code.trim().length < 6}>
              {t('signIn.verify')}
            </Button>
            {step.login.mfa === 'totp' && (
              <Button busy={busy} onClick={() => void passkeySignIn()}>
                {t('signIn.passkeySignIn')}
              </Button>
            )}
            <div className="auth-links">
              {step.login.mfa === 'totp' && (
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    setError(null);
                    setCode('');
                    setStep({ ...step, recovery: !step.recovery });
                  }}
                >
                  {step.recovery ? t('signIn.useTotp') : t('signIn.useRecovery')}
                </button>
              )}
              <button
                type="button"
                className="link-button"
                onClick={() => {
                  setError(null);
                  setStep({ kind: 'password' });
                }}
              >
                {t('signIn.startOver')}
              </button>
            </div>
          </form>
        )}

        {step.kind === 'codes' && (
          <div className="stack">
            <Alert tone="warning">{t('signIn.recoveryCodesOnce')}</Alert>
            <ul className="recovery-codes" aria-label={t('signIn.recoveryCodesTitle')}>
              {step.answer.recoveryCodes!.map((c) => (
                <li key={c}>
                  <code>{c}</code>
                </li>
              ))}
            </ul>
            <div className="row">
              <Button onClick={() => void copy(step.answer.recoveryCodes!.join('\n'))}>
                {t('common.copy')}
              </Button>
              <Button
                variant="primary"
                onClick={() => session.signedIn(step.answer.user, step.answer.csrfToken)}
              >
                {t('signIn.storedCodes')}
              </Button>
            </div>
          </div>
        )}

        <div className="auth-footer">
          <label className="inline-select">
            <span>{t('nav.language')}</span>
            <select
              className="input select"
              data-testid="language-signin"
              value={locale}
              onChange={(e) => {
                setLocale(e.target.value as Locale);
                rememberPickedLocale(e.target.value as Locale);
              }}
            >
              {LOCALES.map((l) => (
                <option key={l} value={l}>
                  {t(`language.${l}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
      </main>
    </div>
  );
}
