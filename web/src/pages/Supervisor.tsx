// Supervisor console: live queues (waiting, longest wait, open, breaches of the queue's target),
// agents (state, load), the service level of the last 24 hours per queue, the targets (set by
// tenant admins) and daily figures; counts only, refreshed on every live event and every few seconds.
import { useEffect, useMemo, useState } from 'react';
import { api, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { Alert, Badge, Card, EmptyState, ErrorState, PageHeader, Spinner, Table, type Tone } from '../ui';
import { DailyCard } from './supervisor/Daily';
import { TargetsCard } from './supervisor/Targets';
import { useLiveSignal } from './supervisor/useLive';

interface Overview {
  targetSeconds: number;
  queues: Array<{
    id: string;
    name: string;
    waiting: number;
    oldestWaitSeconds: number | null;
    open: number;
    serviceLevel: number | null;
    answeredInTarget: number;
    due: number;
    targetSeconds: number;
    breaches24h: number;
    breachedWaiting: number;
    breachedTargetSeconds: number | null;
  }>;
  agents: Array<{ id: string; displayName: string; state: string; load: number; queues: number }>;
}

const REFRESH_MS = 5000;
const STATE_TONE: Record<string, Tone> = { online: 'success', busy: 'warning', offline: 'neutral' };

/** 75 s → "1:15"; an hour or more → "1 h 05 min". */
export function formatWait(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function SupervisorPage({ slug }: { slug: string }) {
  const { t, formatNumber } = useI18n();
  const canEdit = useSession().rolesIn(slug).includes('tenant_admin');
  const o = useLoad(() => api<Overview>('GET', tenantPath(slug, '/supervisor/overview')), [slug]);
  const reload = o.reload;
  const [dailyTick, setDailyTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  useLiveSignal(slug, reload);
  const queueNames = useMemo(() => new Map((o.data?.queues ?? []).map((q) => [q.id, q.name])), [o.data]);
  const pct = (x: number | null) => (x === null ? '—' : `${formatNumber(Math.round(x * 100))} %`);
  if (o.error && !o.data) return <ErrorState error={o.error} onRetry={o.reload} />;
  if (!o.data) return <Spinner />;
  const d = o.data;
  const breached = d.queues.filter((q) => q.breachedWaiting > 0);
  return (
    <>
      <PageHeader
        title={t('supervisor.title')}
        subtitle={t('supervisor.subtitle', { seconds: REFRESH_MS / 1000 })}
      />
      {breached.length > 0 && (
        <div data-testid="sla-breach-alert">
          <Alert tone="danger">
            {breached.map((q) => (
              <p key={q.id}>
                {t('supervisor.breachAlert', { queue: q.name, count: q.breachedWaiting, seconds: q.breachedTargetSeconds ?? q.targetSeconds })}
              </p>
            ))}
          </Alert>
        </div>
      )}
      <Card title={t('supervisor.queues')}>
        <Table
          caption={t('supervisor.queues')}
          rows={d.queues}
          rowKey={(q) => q.id}
          empty={<EmptyState title={t('supervisor.noQueues')} />}
          columns={[
            { key: 'name', header: t('supervisor.queue'), render: (q) => <strong>{q.name}</strong> },
            {
              key: 'waiting',
              header: t('supervisor.waiting'),
              className: 'cell-num',
              render: (q) => <span data-testid={`waiting-${q.name}`}>{formatNumber(q.waiting)}</span>,
            },
            {
              key: 'oldest',
              header: t('supervisor.oldestWait'),
              render: (q) => (q.oldestWaitSeconds === null ? '—' : formatWait(q.oldestWaitSeconds)),
            },
            { key: 'open', header: t('supervisor.open'), className: 'cell-num', render: (q) => formatNumber(q.open) },
            {
              key: 'breaches',
              header: t('supervisor.breaches24h'),
              className: 'cell-num',
              render: (q) => (
                <span data-testid={`breaches-${q.name}`}>
                  {q.breachedWaiting > 0 ? (
                    <Badge tone="danger">{formatNumber(q.breaches24h)}</Badge>
                  ) : (
                    formatNumber(q.breaches24h)
                  )}
                </span>
              ),
            },
            {
              key: 'target',
              header: t('sla.target'),
              className: 'cell-num',
              render: (q) => `${formatNumber(q.targetSeconds)} s`,
            },
            {
              key: 'sl',
              header: t('supervisor.serviceLevel24h'),
              render: (q) => (
                <span data-testid={`sl-${q.name}`} title={t('supervisor.slDetail', { met: q.answeredInTarget, due: q.due })}>
                  {pct(q.serviceLevel)}
                </span>
              ),
            },
          ]}
        />
      </Card>
      <Card title={t('supervisor.agents')}>
        <Table
          caption={t('supervisor.agents')}
          rows={d.agents}
          rowKey={(a) => a.id}
          empty={<EmptyState title={t('supervisor.noAgents')} />}
          columns={[
            { key: 'name', header: t('supervisor.agent'), render: (a) => a.displayName },
            {
              key: 'state',
              header: t('supervisor.state'),
              render: (a) => <Badge tone={STATE_TONE[a.state] ?? 'neutral'}>{t(`supervisor.state.${a.state}`)}</Badge>,
            },
            { key: 'load', header: t('supervisor.load'), className: 'cell-num', render: (a) => formatNumber(a.load) },
            { key: 'queues', header: t('supervisor.queueCount'), className: 'cell-num', render: (a) => formatNumber(a.queues) },
          ]}
        />
      </Card>
      <DailyCard slug={slug} queues={queueNames} tick={dailyTick} />
      <TargetsCard
        slug={slug}
        canEdit={canEdit}
        queues={d.queues}
        onChanged={() => {
          reload();
          setDailyTick((x) => x + 1);
        }}
      />
    </>
  );
}
