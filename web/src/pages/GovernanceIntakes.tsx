// DSAR intakes for the DPO (issue 28): requests from the public form and the privacy mailbox,
// with their deadline, how the requester confirmed (e-mail or SMS code), a lockout after too many
// wrong codes, and what a requester wrote for a rectification or objection (read on demand,
// audited). Erasure, rectification and restriction are handled on the subject request (privacy).
import { useState } from 'react';
import { api, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { Badge, Button, Card, Dialog, EmptyState, ErrorState, Spinner, Table } from '../ui';
import { useAct } from './GovernanceAct';

interface Intake {
  id: string;
  type: string;
  state: string;
  source: 'form' | 'mail';
  verifyChannel: 'email' | 'sms';
  receivedAt: string;
  dueAt: string;
  overdue: boolean;
  extended: boolean;
  hasDetails: boolean;
  locked: boolean;
  /** Set once the retention period has removed the requester's contact data and details. */
  purgedAt?: string | null;
}

export function IntakeSection({ slug }: { slug: string }) {
  const { t, formatDateTime } = useI18n();
  const list = useLoad(
    () => api<{ items: Intake[] }>('GET', tenantPath(slug, '/governance/dsar-intakes')),
    [slug],
  );
  const { act, busy } = useAct(list.reload);
  const [details, setDetails] = useState<string | null>(null);
  if (list.loading && !list.data) return <Spinner />;
  if (list.error) return <ErrorState error={list.error} onRetry={list.reload} />;
  const reason = t('governance.dsar.defaultReason');
  const open = async (id: string) => {
    const r = await api<{ details: string | null; purged?: boolean }>(
      'GET',
      tenantPath(slug, `/governance/dsar-intakes/${id}/details`),
    );
    setDetails(r.purged ? t('governance.dsar.purgedDetails') : (r.details ?? ''));
  };
  return (
    <Card title={t('governance.dsar.title')}>
      <Table
        caption={t('governance.dsar.title')}
        rows={list.data?.items ?? []}
        rowKey={(i) => i.id}
        empty={<EmptyState title={t('governance.dsar.empty')} />}
        columns={[
          {
            key: 'type',
            header: t('governance.dsar.type'),
            render: (i) => t(`governance.dsar.type.${i.type}`),
          },
          {
            key: 'via',
            header: t('governance.dsar.via'),
            render: (i) =>
              `${t(`governance.dsar.source.${i.source}`)} · ${t(`governance.dsar.channel.${i.verifyChannel}`)}`,
          },
          {
            key: 'state',
            header: t('governance.dsar.state'),
            render: (i) => (
              <span className="row">
                <Badge tone={i.overdue ? 'danger' : 'neutral'}>{t(`governance.dsar.state.${i.state}`)}</Badge>
                {i.locked ? <Badge tone="warning">{t('governance.dsar.locked')}</Badge> : null}
              </span>
            ),
          },
          {
            key: 'received',
            header: t('governance.dsar.received'),
            render: (i) => formatDateTime(i.receivedAt),
          },
          {
            key: 'due',
            header: t('governance.dsar.due'),
            render: (i) => `${formatDateTime(i.dueAt)}${i.extended ? ' (+2)' : ''}`,
          },
          {
            key: 'actions',
            header: t('governance.actions'),
            render: (i) => (
              <span className="row">
                {i.purgedAt ? (
                  <span className="muted">
                    {t('governance.dsar.purged', { date: formatDateTime(i.purgedAt) })}
                  </span>
                ) : null}
                {i.hasDetails ? (
                  <Button size="sm" onClick={() => void open(i.id)}>
                    {t('governance.dsar.details')}
                  </Button>
                ) : null}
                {!i.extended && (i.state === 'verified' || i.state === 'unverified') ? (
                  <Button
                    size="sm"
                    busy={busy}
                    onClick={() =>
                      void act(
                        () =>
                          api('POST', tenantPath(slug, `/governance/dsar-intakes/${i.id}/extend`), {
                            reason,
                          }),
                        t('governance.dsar.extended'),
                      )
                    }
                  >
                    {t('governance.dsar.extend')}
                  </Button>
                ) : null}
                {i.state === 'verified' && i.type === 'access' ? (
                  <Button
                    size="sm"
                    variant="primary"
                    busy={busy}
                    onClick={() =>
                      void act(
                        () => api('POST', tenantPath(slug, `/governance/dsar-intakes/${i.id}/fulfil`)),
                        t('governance.dsar.fulfilled'),
                      )
                    }
                  >
                    {t('governance.dsar.fulfil')}
                  </Button>
                ) : null}
              </span>
            ),
          },
        ]}
      />
      <p className="muted">{t('governance.dsar.handled')}</p>
      <Dialog open={details !== null} title={t('governance.dsar.details')} onClose={() => setDetails(null)}>
        {(details ?? '').split('\n').map((line, n) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the lines of one static text
          <p key={n}>{line}</p>
        ))}
      </Dialog>
    </Card>
  );
}
