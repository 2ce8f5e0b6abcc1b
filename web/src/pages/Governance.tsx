// Privacy governance console (issue 28): sub-processor notices for tenant admins and DPOs, DPIAs
// (the DPO writes and signs; admins and the security officer read), DSAR intakes for the DPO.
import { api, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { Badge, Button, Card, EmptyState, ErrorState, PageHeader, Spinner, Table } from '../ui';
import { useAct } from './GovernanceAct';
import { DpiaSection } from './GovernanceDpia';
import { SubProcessorNotices } from './GovernanceNotices';
import { AgreementSection, ReviewSection } from './GovernanceReviews';

interface Intake {
  id: string;
  type: string;
  state: string;
  receivedAt: string;
  dueAt: string;
  overdue: boolean;
  extended: boolean;
}

export function GovernancePage({ slug }: { slug: string }) {
  const { t } = useI18n();
  const s = useSession();
  const roles = s.rolesIn(slug);
  const has = (r: (typeof roles)[number]) => roles.includes(r);
  return (
    <>
      <PageHeader title={t('governance.title')} subtitle={t('governance.subtitle')} />
      {has('dpo') || has('tenant_admin') ? <SubProcessorNotices slug={slug} /> : null}
      {has('dpo') || has('security_officer') ? <ReviewSection slug={slug} /> : null}
      <DpiaSection slug={slug} canWrite={has('dpo')} />
      {has('dpo') || has('tenant_admin') ? <AgreementSection slug={slug} /> : null}
      {has('dpo') ? <IntakeSection slug={slug} /> : null}
    </>
  );
}

function IntakeSection({ slug }: { slug: string }) {
  const { t, formatDateTime } = useI18n();
  const list = useLoad(
    () => api<{ items: Intake[] }>('GET', tenantPath(slug, '/governance/dsar-intakes')),
    [slug],
  );
  const { act, busy } = useAct(list.reload);
  if (list.loading && !list.data) return <Spinner />;
  if (list.error) return <ErrorState error={list.error} onRetry={list.reload} />;
  const reason = t('governance.dsar.defaultReason');
  return (
    <Card title={t('governance.dsar.title')}>
      <Table
        caption={t('governance.dsar.title')}
        rows={list.data?.items ?? []}
        rowKey={(i) => i.id}
        empty={<EmptyState title={t('governance.dsar.empty')} />}
        columns={[
          { key: 'type', header: t('governance.dsar.type'), render: (i) => i.type },
          {
            key: 'state',
            header: t('governance.dsar.state'),
            render: (i) => <Badge tone={i.overdue ? 'danger' : 'neutral'}>{i.state}</Badge>,
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
                {!i.extended && i.state !== 'fulfilled' ? (
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
    </Card>
  );
}
