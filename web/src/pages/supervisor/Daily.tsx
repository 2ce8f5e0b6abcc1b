// Daily figures per queue (last 14 UTC days): arrivals, answers, share within target, breaches
// and the median time to the first answer. Counts and durations only.
import { api, tenantPath } from '../../api';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { Card, EmptyState, ErrorState, Spinner, Table } from '../../ui';

interface DailyRow {
  queueId: string;
  day: string;
  arrived: number;
  answered: number;
  answeredInTarget: number;
  breaches: number;
  medianFirstReplySeconds: number | null;
}

export function DailyCard({ slug, queues, tick }: { slug: string; queues: Map<string, string>; tick: number }) {
  const { t, formatNumber } = useI18n();
  const d = useLoad(() => api<{ days: number; rows: DailyRow[] }>('GET', tenantPath(slug, '/supervisor/daily')), [slug, tick]);
  if (d.error && !d.data) return <ErrorState error={d.error} onRetry={d.reload} />;
  if (!d.data) return <Spinner />;
  return (
    <Card title={t('supervisor.daily', { days: d.data.days })}>
      <Table
        caption={t('supervisor.daily', { days: d.data.days })}
        rows={d.data.rows}
        rowKey={(r) => `${r.queueId}:${r.day}`}
        empty={<EmptyState title={t('supervisor.noDaily')} />}
        columns={[
          { key: 'day', header: t('supervisor.day'), render: (r) => r.day },
          { key: 'queue', header: t('supervisor.queue'), render: (r) => queues.get(r.queueId) ?? '—' },
          { key: 'arrived', header: t('supervisor.arrived'), className: 'cell-num', render: (r) => formatNumber(r.arrived) },
          { key: 'answered', header: t('supervisor.answered'), className: 'cell-num', render: (r) => formatNumber(r.answered) },
          {
            key: 'inTarget',
            header: t('supervisor.inTarget'),
            className: 'cell-num',
            render: (r) => (r.arrived ? `${formatNumber(Math.round((r.answeredInTarget / r.arrived) * 100))} %` : '—'),
          },
          { key: 'breaches', header: t('supervisor.breaches'), className: 'cell-num', render: (r) => formatNumber(r.breaches) },
          {
            key: 'median',
            header: t('supervisor.medianFirstReply'),
            className: 'cell-num',
            render: (r) => (r.medianFirstReplySeconds === null ? '—' : `${formatNumber(r.medianFirstReplySeconds)} s`),
          },
        ]}
      />
    </Card>
  );
}
