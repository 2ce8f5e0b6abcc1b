// Accepting an invitation: the link carries the single-use token in its fragment (#token=…), which
// the browser never sends to a server; the page removes it from the address bar at once and sends
// it only in POST bodies. The person sets a password (server policy), then signs in and enrols an
// authenticator app on the sign-in page as every new account does.
import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../../api';
import { useI18n } from '../../i18n';
import { navigate } from '../../router';
import { Alert, Button, errorText, Input, Spinner } from '../../ui';

interface Invitation {
  displayName: string;
  tenantName: string;
  role: string;
}

function takeToken(): string | null {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]{20,200})/.exec(location.hash);
  if (location.hash) history.replaceState(null, '', location.pathname);
  return m ? m[1]! : null;
}

export function InviteAcceptPage() {
  const { t } = useI18n();
  const [token] = useState(takeToken);
  const [invite, setInvite] = useState<Invitation | null>(null);
  const [error, setError] = useState<string | null>(token ? null : t('errors.invitation_invalid'));
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  useEffect(() => {
    if (!token) return;
    api<Invitation>('POST', '/api/v1/auth/invitation', { token }).then(setInvite, (e: unknown) =>
      setError(errorText(t, e)),
    );
  }, [token, t]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password !== again) return setError(t('invite.mismatch'));
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/v1/auth/invitation/accept', { token, password });
      setDone(true);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
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
        <h1>{t('invite.acceptTitle')}</h1>
        {error && <Alert>{error}</Alert>}
        {done ? (
          <div className="stack">
            <Alert tone="success">{t('invite.accepted')}</Alert>
            <Button variant="primary" onClick={() => navigate('/', { replace: true })}>
              {t('invite.toSignIn')}
            </Button>
          </div>
        ) : invite ? (
          <form onSubmit={submit} className="stack" noValidate>
            <p>{t('invite.welcome', { name: invite.displayName, tenant: invite.tenantName, role: t(`role.${invite.role}`) })}</p>
            <Input
              label={t('invite.newPassword')}
              hint={t('invite.passwordHint')}
              type="password"
              autoComplete="new-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <Input
              label={t('invite.repeatPassword')}
              type="password"
              autoComplete="new-password"
              required
              value={again}
              onChange={(e) => setAgain(e.target.value)}
            />
            <Button type="submit" variant="primary" busy={busy} disabled={!password || !again}>
              {t('invite.setPassword')}
            </Button>
          </form>
        ) : (
          token && !error && <Spinner />
        )}
      </main>
    </div>
  );
}
