// The signed-in user's own sessions, with revoke, and their passkeys.
import { startRegistration } from '@simplewebauthn/browser';
import { useState } from 'react';
import { api } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import type { SessionView } from '../types';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorState,
  errorText,
  PageHeader,
  Spinner,
  Table,
  useToast,
} from '../ui';

export function sessionStatus(t: (k: string) => string, s: SessionView) {
  if (s.revokedAt) return <Badge tone="neutral">{t('sessions.revoked')}</Badge>;
  if (s.current) return <Badge tone="info">{t('sessions.current')}</Badge>;
  return <Badge tone="success">{t('sessions.active')}</Badge>;
}

export function AccountPage() {
  const { t, formatDateTime } = useI18n();
  const s = useSession();
  const toast = useToast();
  const [busyId, setBusyId] = useState<string | null>(null);
  const list = useLoad(() => api<{ sessions: SessionView[] }>('GET', '/api/v1/me/sessions'), []);

  const revoke = async (sv: SessionView) => {
    if (sv.current) return void s.signOut();
    setBusyId(sv.id);
    try {
      await api('DELETE', `/api/v1/me/sessions/${sv.id}`);
      toast(t('sessions.revokedToast'));
      list.reload();
    } catch (e) {
      toast(errorText(t, e), 'danger');
    } finally {
      setBusyId(null);
    }
  };

  const passkeys = useLoad(
    () =>
      api<{ passkeys: Array<{ id: string; createdAt: string; lastUsedAt: string | null }> }>(
        'GET',
        '/api/v1/me/passkeys',
      ),
    [],
  );
  const addPasskey = async () => {
    setBusyId('passkey');
    try {
      const { options } = await api<{ options: Parameters<typeof startRegistration>[0]['optionsJSON'] }>(
        'POST',
        '/api/v1/me/passkeys/options',
        {},
      );
      const credential = await startRegistration({ optionsJSON: options });
      await api('POST', '/api/v1/me/passkeys', { credential });
      toast(t('account.passkeyAdded'));
      passkeys.reload();
    } catch (e) {
      toast(errorText(t, e), 'danger');
    } finally {
      setBusyId(null);
    }
  };

  const sessions = list.data?.sessions ?? [];
  return (
    <>
      <PageHeader title={t('account.title')} subtitle={s.user?.email} />
      <Card title={t('sessions.title')}>
        {list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} />
        ) : !list.data ? (
          <Spinner />
        ) : (
          <Table
            caption={t('sessions.title')}
            rows={sessions}
            rowKey={(r) => r.id}
            empty={<EmptyState title={t('sessions.empty')} />}
            columns={[
              {
                key: 'kind',
                header: t('sessions.kind'),
                render: (r) => t(`sessions.kind.${r.kind === 'api' ? 'api' : 'web'}`),
              },
              { key: 'created', header: t('sessions.created'), render: (r) => formatDateTime(r.createdAt) },
              { key: 'seen', header: t('sessions.lastSeen'), render: (r) => formatDateTime(r.lastSeenAt) },
              { key: 'status', header: t('common.status'), render: (r) => sessionStatus(t, r) },
              {
                key: 'actions',
                header: t('common.actions'),
                className: 'cell-actions',
                render: (r) =>
                  r.revokedAt ? null : (
                    <Button
                      size="sm"
                      variant={r.current ? 'ghost' : 'danger'}
                      busy={busyId === r.id}
                      onClick={() => void revoke(r)}
                    >
                      {r.current ? t('nav.signOut') : t('sessions.revoke')}
                    </Button>
                  ),
              },
            ]}
          />
        )}
      </Card>
      <Card title={t('account.passkeys')}>
        <ul aria-label={t('account.passkeys')}>
          {(passkeys.data?.passkeys ?? []).map((p) => (
            <li key={p.id}>{formatDateTime(p.createdAt)}</li>
          ))}
        </ul>
        {passkeys.data?.passkeys.length === 0 && <p>{t('account.noPasskeys')}</p>}
        <Button busy={busyId === 'passkey'} onClick={() => void addPasskey()}>
          {t('account.addPasskey')}
        </Button>
      </Card>
    </>
  );
}
