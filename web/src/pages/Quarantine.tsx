// The security officer's quarantine: files the malware scanner or the content check held back,
// with what was found. Release a false positive (a reason is required and audited) or delete.
import { useState } from 'react';
import { api, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import {
  Badge,
  Button,
  Card,
  Dialog,
  EmptyState,
  ErrorState,
  errorText,
  PageHeader,
  Spinner,
  Table,
  TextArea,
  useToast,
} from '../ui';

interface Held {
  fileId: string;
  state: 'infected' | 'unscannable';
  source: string;
  conversationId: string;
  detectedType: string | null;
  size: number;
  sha256: string;
  threat: string | null;
  reason: string | null;
  receivedAt: string | null;
}

export function QuarantinePage({ slug }: { slug: string }) {
  const { t } = useI18n();
  const toast = useToast();
  const list = useLoad(() => api<{ items: Held[] }>('GET', tenantPath(slug, '/quarantine')), [slug]);
  const [release, setRelease] = useState<Held | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);

  const act = async (fn: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await fn();
      toast(done);
      setRelease(null);
      setReason('');
      list.reload();
    } catch (e) {
      toast(errorText(t, e), 'danger');
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title={t('quarantine.title')} subtitle={t('quarantine.subtitle')} />
      <Card>
        {list.loading && !list.data ? (
          <Spinner />
        ) : list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} />
        ) : (
          <Table
            caption={t('quarantine.title')}
            rows={list.data?.items ?? []}
            rowKey={(f) => f.fileId}
            empty={<EmptyState title={t('quarantine.empty')}>{t('quarantine.emptyBody')}</EmptyState>}
            columns={[
              {
                key: 'threat',
                header: t('quarantine.threat'),
                render: (f) => <code>{f.threat ?? f.reason ?? '—'}</code>,
              },
              {
                key: 'state',
                header: t('quarantine.state'),
                render: (f) => (
                  <Badge tone={f.state === 'infected' ? 'danger' : 'warning'}>
                    {t(`files.state.${f.state}`)}
                  </Badge>
                ),
              },
              {
                key: 'type',
                header: t('quarantine.type'),
                render: (f) => `${f.detectedType ?? '—'} · ${Math.max(1, Math.round(f.size / 1024))} KB`,
              },
              {
                key: 'source',
                header: t('quarantine.source'),
                render: (f) => t(`inbox.channel.${f.source}`),
              },
              {
                key: 'hash',
                header: 'SHA-256',
                render: (f) => <code title={f.sha256}>{f.sha256.slice(0, 16)}…</code>,
              },
              {
                key: 'at',
                header: t('quarantine.received'),
                render: (f) => (f.receivedAt ? new Date(f.receivedAt).toLocaleString() : '—'),
              },
              {
                key: 'actions',
                header: t('quarantine.actions'),
                render: (f) => (
                  <span className="row">
                    <Button size="sm" variant="ghost" onClick={() => setRelease(f)}>
                      {t('quarantine.release')}
                    </Button>
                    <Button
                      size="sm"
                      variant="danger"
                      busy={busy}
                      onClick={() =>
                        void act(
                          () => api('DELETE', tenantPath(slug, `/quarantine/${f.fileId}`)),
                          t('quarantine.deleted'),
                        )
                      }
                    >
                      {t('quarantine.delete')}
                    </Button>
                  </span>
                ),
              },
            ]}
          />
        )}
      </Card>
      <Dialog
        open={release !== null}
        title={t('quarantine.releaseTitle')}
        onClose={() => setRelease(null)}
        footer={
          <Button
            variant="primary"
            busy={busy}
            disabled={reason.trim().length < 10}
            onClick={() =>
              release &&
              void act(
                () => api('POST', tenantPath(slug, `/quarantine/${release.fileId}/release`), { reason }),
                t('quarantine.released'),
              )
            }
          >
            {t('quarantine.release')}
          </Button>
        }
      >
        <p>{t('quarantine.releaseExplain')}</p>
        <TextArea
          label={t('inbox.revealReason')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </Dialog>
    </>
  );
}
