// Sub-processor notices of a tenant: what changed, until when one may object, the decision.
// Tenant admins and DPOs accept or object (an objection needs a reason and blocks the change).
import { useState } from 'react';
import { api, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { Badge, Button, Card, Dialog, EmptyState, ErrorState, Spinner, Table, TextArea } from '../ui';
import { useAct } from './GovernanceAct';

interface Notice {
  id: string;
  kind: 'added' | 'changed';
  version: number;
  summary: { name: string; service: string; countries: string[]; transferMechanism: string };
  objectionDeadline: string;
  open: boolean;
  decision: 'pending' | 'accepted' | 'objected' | 'lapsed';
}
interface Entry {
  id: string;
  name: string;
  service: string;
  countries: string[];
  state: 'pending' | 'active' | 'blocked';
}

const TONE = { pending: 'warning', accepted: 'success', objected: 'danger', lapsed: 'neutral' } as const;

export function SubProcessorNotices({ slug }: { slug: string }) {
  const { t, formatDateTime } = useI18n();
  const list = useLoad(
    () =>
      api<{ subProcessors: Entry[]; notices: Notice[] }>(
        'GET',
        tenantPath(slug, '/governance/sub-processors'),
      ),
    [slug],
  );
  const { act, busy } = useAct(list.reload);
  const [objecting, setObjecting] = useState<Notice | null>(null);
  const [reason, setReason] = useState('');
  const decide = (n: Notice, decision: 'accepted' | 'objected', r?: string) =>
    act(
      () =>
        api('POST', tenantPath(slug, `/governance/sub-processor-notices/${n.id}/decision`), {
          decision,
          ...(r ? { reason: r } : {}),
        }),
      t(`governance.notice.${decision}`),
    ).then((ok) => ok && setObjecting(null));

  if (list.loading && !list.data) return <Spinner />;
  if (list.error) return <ErrorState error={list.error} onRetry={list.reload} />;
  return (
    <Card title={t('governance.notices.title')}>
      <Table
        caption={t('governance.notices.title')}
        rows={list.data?.notices ?? []}
        rowKey={(n) => n.id}
        empty={<EmptyState title={t('governance.notices.empty')} />}
        columns={[
          {
            key: 'name',
            header: t('governance.subprocessor'),
            render: (n) => `${n.summary.name} (${n.summary.service})`,
          },
          {
            key: 'kind',
            header: t('governance.notice.kind'),
            render: (n) => t(`governance.notice.kind.${n.kind}`),
          },
          {
            key: 'where',
            header: t('governance.countries'),
            render: (n) => `${n.summary.countries.join(', ')} · ${n.summary.transferMechanism}`,
          },
          {
            key: 'until',
            header: t('governance.notice.deadline'),
            render: (n) => formatDateTime(n.objectionDeadline),
          },
          {
            key: 'decision',
            header: t('governance.notice.decision'),
            render: (n) => <Badge tone={TONE[n.decision]}>{t(`governance.decision.${n.decision}`)}</Badge>,
          },
          {
            key: 'actions',
            header: t('governance.actions'),
            render: (n) =>
              n.open ? (
                <span className="row">
                  <Button size="sm" busy={busy} onClick={() => void decide(n, 'accepted')}>
                    {t('governance.accept')}
                  </Button>
                  <Button size="sm" variant="danger" onClick={() => setObjecting(n)}>
                    {t('governance.object')}
                  </Button>
                </span>
              ) : null,
          },
        ]}
      />
      <p>
        {t('governance.subprocessors.effective', {
          n: String((list.data?.subProcessors ?? []).filter((s) => s.state === 'active').length),
        })}
      </p>
      <ObjectDialog
        notice={objecting}
        reason={reason}
        setReason={setReason}
        busy={busy}
        onClose={() => setObjecting(null)}
        onObject={(n) => void decide(n, 'objected', reason)}
      />
    </Card>
  );
}

function ObjectDialog(p: {
  notice: Notice | null;
  reason: string;
  setReason(r: string): void;
  busy: boolean;
  onClose(): void;
  onObject(n: Notice): void;
}) {
  const { t } = useI18n();
  return (
    <Dialog
      open={!!p.notice}
      title={t('governance.object')}
      onClose={p.onClose}
      footer={
        <Button
          variant="danger"
          busy={p.busy}
          disabled={!p.reason.trim()}
          onClick={() => p.notice && p.onObject(p.notice)}
        >
          {t('governance.object')}
        </Button>
      }
    >
      <TextArea
        label={t('governance.reason')}
        value={p.reason}
        onChange={(e) => p.setReason(e.target.value)}
      />
    </Dialog>
  );
}
