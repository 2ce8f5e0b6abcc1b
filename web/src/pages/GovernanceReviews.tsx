// Change-triggered review items (DPO, security officer): close with a decision and a reason.
// The data-processing agreement (admin, DPO): current version, acceptance, HTML export.
import { useState } from 'react';
import { api, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { Badge, Button, Card, Dialog, EmptyState, ErrorState, Select, Spinner, Table, TextArea } from '../ui';
import { useAct } from './GovernanceAct';

interface Review {
  id: string;
  kind: string;
  diff: { action?: string };
  createdAt: string;
}

export function ReviewSection({ slug }: { slug: string }) {
  const { t, formatDateTime } = useI18n();
  const list = useLoad(
    () => api<{ items: Review[] }>('GET', tenantPath(slug, '/governance/reviews?state=open')),
    [slug],
  );
  const { act, busy } = useAct(list.reload);
  const [closing, setClosing] = useState<Review | null>(null);
  const [decision, setDecision] = useState('accepted');
  const [reason, setReason] = useState('');
  if (list.loading && !list.data) return <Spinner />;
  if (list.error) return <ErrorState error={list.error} onRetry={list.reload} />;
  const close = (r: Review) =>
    act(
      () => api('POST', tenantPath(slug, `/governance/reviews/${r.id}/close`), { decision, reason }),
      t('governance.reviews.closed'),
    ).then((ok) => ok && setClosing(null));
  return (
    <Card title={t('governance.reviews.title')}>
      <Table
        caption={t('governance.reviews.title')}
        rows={list.data?.items ?? []}
        rowKey={(r) => r.id}
        empty={<EmptyState title={t('governance.reviews.empty')} />}
        columns={[
          {
            key: 'kind',
            header: t('governance.reviews.kind'),
            render: (r) => t(`governance.reviews.kind.${r.kind}`),
          },
          {
            key: 'what',
            header: t('governance.reviews.what'),
            render: (r) => <code>{r.diff.action ?? '—'}</code>,
          },
          { key: 'at', header: t('governance.reviews.at'), render: (r) => formatDateTime(r.createdAt) },
          {
            key: 'actions',
            header: t('governance.actions'),
            render: (r) => (
              <Button size="sm" onClick={() => setClosing(r)}>
                {t('governance.reviews.close')}
              </Button>
            ),
          },
        ]}
      />
      <Dialog
        open={!!closing}
        title={t('governance.reviews.close')}
        onClose={() => setClosing(null)}
        footer={
          <Button
            variant="primary"
            busy={busy}
            disabled={reason.trim().length < 10}
            onClick={() => closing && void close(closing)}
          >
            {t('governance.reviews.close')}
          </Button>
        }
      >
        <Select
          label={t('governance.notice.decision')}
          value={decision}
          onChange={(e) => setDecision(e.target.value)}
          options={[
            { value: 'accepted', label: t('governance.reviews.accepted') },
            { value: 'remediation', label: t('governance.reviews.remediation') },
          ]}
        />
        <TextArea label={t('governance.reason')} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Dialog>
    </Card>
  );
}

export function AgreementSection({ slug }: { slug: string }) {
  const { t, formatDateTime } = useI18n();
  const dpa = useLoad(
    () =>
      api<{ version: number; createdAt: string; acceptedCurrent: boolean }>(
        'GET',
        tenantPath(slug, '/governance/dpa'),
      ),
    [slug],
  );
  const { act, busy } = useAct(dpa.reload);
  if (dpa.loading && !dpa.data) return <Spinner />;
  if (dpa.error || !dpa.data) return <ErrorState error={dpa.error} onRetry={dpa.reload} />;
  const d = dpa.data;
  return (
    <Card
      title={t('governance.dpa.title')}
      actions={
        <a href={tenantPath(slug, '/governance/dpa?format=html')} target="_blank" rel="noreferrer">
          HTML
        </a>
      }
    >
      <p>
        {t('governance.dpa.version', { version: d.version, date: formatDateTime(d.createdAt) })}{' '}
        <Badge tone={d.acceptedCurrent ? 'success' : 'warning'}>
          {t(d.acceptedCurrent ? 'governance.dpa.accepted' : 'governance.dpa.notAccepted')}
        </Badge>
      </p>
      {!d.acceptedCurrent ? (
        <Button
          variant="primary"
          busy={busy}
          onClick={() =>
            void act(
              () => api('POST', tenantPath(slug, '/governance/dpa/accept'), { version: d.version }),
              t('governance.dpa.accepted'),
            )
          }
        >
          {t('governance.dpa.accept')}
        </Button>
      ) : null}
    </Card>
  );
}
