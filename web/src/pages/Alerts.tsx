// Insider-threat alerts: list with filters, detail with evidence and comments, acknowledge/resolve.
import { type FormEvent, useEffect, useState } from 'react';
import { api, query, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { Link } from '../router';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorState,
  errorText,
  PageHeader,
  Select,
  Spinner,
  Table,
  TextArea,
  type Tone,
  useToast,
} from '../ui';
import { SuspendDialog, type TenantUser } from './Users';

interface AlertView {
  id: string;
  ruleId: string;
  title: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  state: 'open' | 'acknowledged' | 'resolved' | 'false_positive';
  action: string;
  actionStatus: string;
  subject: { type: string; id: string };
  observed: number;
  threshold: number;
  windowSeconds: number;
  evidenceCount: number;
  firstSeenAt: string;
  lastSeenAt: string;
}
interface AlertDetail extends AlertView {
  evidence: Array<{ tenantId: string | null; seq: string }>;
  comments: Array<{
    id: string;
    authorId: string | null;
    stateFrom: string | null;
    stateTo: string | null;
    body: string | null;
    createdAt: string;
  }>;
}

/** How often the alert list refreshes itself. */
const LIVE_MS = 3000;
const STATES = ['open', 'acknowledged', 'resolved', 'false_positive'] as const;
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const sevTone = (s: string): Tone =>
  s === 'critical' || s === 'high' ? 'danger' : s === 'medium' ? 'warning' : 'neutral';
const stateTone = (s: string): Tone =>
  s === 'open' ? 'danger' : s === 'acknowledged' ? 'warning' : 'success';

export function AlertsPage({ slug }: { slug: string }) {
  const { t, code, formatDateTime, formatNumber } = useI18n();
  const [state, setState] = useState<string>('open');
  const [severity, setSeverity] = useState<string>('');
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const list = useLoad(
    () =>
      api<{ items: AlertView[]; nextCursor: string | null }>(
        'GET',
        tenantPath(slug, `/alerts${query({ state, severity, cursor, limit: 50 })}`),
      ),
    [slug, state, severity, cursor],
  );
  const items = list.data?.items ?? [];
  // Live: new alerts appear without a reload (the detector raises them within seconds).
  const reload = list.reload;
  useEffect(() => {
    const timer = setInterval(reload, LIVE_MS);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <>
      <PageHeader
        title={t('alerts.title')}
        subtitle={t('alerts.subtitle')}
        actions={<Badge tone="success">{t('alerts.live', { seconds: LIVE_MS / 1000 })}</Badge>}
      />
      <Card>
        <div className="filters">
          <Select
            label={t('alerts.state')}
            value={state}
            onChange={(e) => {
              setState(e.target.value);
              setCursors([null]);
            }}
            options={[
              { value: '', label: t('common.any') },
              ...STATES.map((s) => ({ value: s, label: t(`alerts.state.${s}`) })),
            ]}
          />
          <Select
            label={t('alerts.severity')}
            value={severity}
            onChange={(e) => {
              setSeverity(e.target.value);
              setCursors([null]);
            }}
            options={[
              { value: '', label: t('common.any') },
              ...SEVERITIES.map((s) => ({ value: s, label: t(`alerts.severity.${s}`) })),
            ]}
          />
        </div>
        {list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} />
        ) : !list.data ? (
          <Spinner />
        ) : (
          <>
            <Table
              caption={t('alerts.title')}
              rows={items}
              rowKey={(a) => a.id}
              empty={<EmptyState title={t('alerts.empty')}>{t('alerts.emptyBody')}</EmptyState>}
              columns={[
                {
                  key: 'title',
                  header: t('alerts.alert'),
                  render: (a) => (
                    <Link href={`/app/t/${encodeURIComponent(slug)}/alerts/${a.id}`}>{code('alerts.rule', a.ruleId)}</Link>
                  ),
                },
                {
                  key: 'sev',
                  header: t('alerts.severity'),
                  render: (a) => (
                    <Badge tone={sevTone(a.severity)}>{t(`alerts.severity.${a.severity}`)}</Badge>
                  ),
                },
                {
                  key: 'state',
                  header: t('alerts.state'),
                  render: (a) => <Badge tone={stateTone(a.state)}>{t(`alerts.state.${a.state}`)}</Badge>,
                },
                {
                  key: 'observed',
                  header: t('alerts.observed'),
                  className: 'cell-num',
                  render: (a) => `${formatNumber(a.observed)} / ${formatNumber(a.threshold)}`,
                },
                { key: 'last', header: t('alerts.lastSeen'), render: (a) => formatDateTime(a.lastSeenAt) },
              ]}
            />
            <div className="pager">
              <Button
                size="sm"
                disabled={cursors.length <= 1}
                onClick={() => setCursors(cursors.slice(0, -1))}
              >
                {t('common.previous')}
              </Button>
              <span className="muted">{t('common.page', { n: cursors.length })}</span>
              <Button
                size="sm"
                disabled={!list.data.nextCursor}
                onClick={() => list.data?.nextCursor && setCursors([...cursors, list.data.nextCursor])}
              >
                {t('common.next')}
              </Button>
            </div>
          </>
        )}
      </Card>
    </>
  );
}

export function AlertDetailPage({ slug, id }: { slug: string; id: string }) {
  const { t, code, formatDateTime, formatNumber } = useI18n();
  const toast = useToast();
  const detail = useLoad(() => api<AlertDetail>('GET', tenantPath(slug, `/alerts/${id}`)), [slug, id]);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [suspendFor, setSuspendFor] = useState<TenantUser | null>(null);
  const subjectUserId = detail.data?.subject.type === 'user' ? detail.data.subject.id : null;
  const users = useLoad(
    async () =>
      subjectUserId ? (await api<{ users: TenantUser[] }>('GET', tenantPath(slug, '/users'))).users : [],
    [slug, subjectUserId],
  );
  const subjectUser = users.data?.find((u) => u.id === subjectUserId) ?? null;

  const change = async (body: { state?: string; comment?: string }, what: string) => {
    setBusy(what);
    try {
      await api('PATCH', tenantPath(slug, `/alerts/${id}`), body);
      toast(t('alerts.updated'));
      setComment('');
      detail.reload();
    } catch (e) {
      toast(errorText(t, e), 'danger');
    } finally {
      setBusy(null);
    }
  };
  const a = detail.data;
  const back = <Link href={`/app/t/${encodeURIComponent(slug)}/alerts`}>{t('alerts.back')}</Link>;
  if (detail.error)
    return (
      <>
        <PageHeader title={t('alerts.title')} actions={back} />
        <ErrorState error={detail.error} onRetry={detail.reload} />
      </>
    );
  if (!a) return <Spinner />;
  return (
    <>
      <PageHeader
        title={code('alerts.rule', a.ruleId)}
        actions={back}
      />
      <div className="grid grid-2">
        <Card title={t('alerts.details')}>
          <dl className="kv">
            <dt>{t('alerts.severity')}</dt>
            <dd>
              <Badge tone={sevTone(a.severity)}>{t(`alerts.severity.${a.severity}`)}</Badge>
            </dd>
            <dt>{t('alerts.state')}</dt>
            <dd>
              <Badge tone={stateTone(a.state)}>{t(`alerts.state.${a.state}`)}</Badge>
            </dd>
            <dt>{t('alerts.subject')}</dt>
            <dd>
              <code>
                {code('alerts.subjectType', a.subject.type)} {a.subject.id.slice(0, 8)}
              </code>
            </dd>
            <dt>{t('alerts.observed')}</dt>
            <dd>
              {t('alerts.observedIn', {
                observed: formatNumber(a.observed),
                threshold: formatNumber(a.threshold),
                seconds: formatNumber(a.windowSeconds),
              })}
            </dd>
            <dt>{t('alerts.response')}</dt>
            <dd>
              {code('alerts.responseAction', a.action)} ({code('alerts.actionStatus', a.actionStatus)})
            </dd>
            <dt>{t('alerts.firstSeen')}</dt>
            <dd>{formatDateTime(a.firstSeenAt)}</dd>
            <dt>{t('alerts.lastSeen')}</dt>
            <dd>{formatDateTime(a.lastSeenAt)}</dd>
            <dt>{t('alerts.evidence')}</dt>
            <dd>
              {t('alerts.evidenceCount', { n: formatNumber(a.evidenceCount) })}{' '}
              {a.evidence
                .slice(0, 10)
                .map((e) => `#${e.seq}`)
                .join(', ')}
            </dd>
          </dl>
          <div className="row">
            {a.state === 'open' && (
              <Button
                variant="primary"
                busy={busy === 'ack'}
                onClick={() => void change({ state: 'acknowledged' }, 'ack')}
              >
                {t('alerts.acknowledge')}
              </Button>
            )}
            {a.state !== 'resolved' && (
              <Button busy={busy === 'resolve'} onClick={() => void change({ state: 'resolved' }, 'resolve')}>
                {t('alerts.resolve')}
              </Button>
            )}
            {a.state !== 'false_positive' && (
              <Button
                variant="ghost"
                busy={busy === 'fp'}
                onClick={() => void change({ state: 'false_positive' }, 'fp')}
              >
                {t('alerts.falsePositive')}
              </Button>
            )}
          </div>
        </Card>
        {subjectUser && (
          <Card title={t('alerts.subjectUser')}>
            <dl className="kv" data-testid="alert-subject">
              <dt>{t('users.name')}</dt>
              <dd>{subjectUser.displayName}</dd>
              <dt>{t('common.status')}</dt>
              <dd>
                <Badge tone={subjectUser.status === 'suspended' ? 'danger' : 'success'}>
                  {t(`users.status.${subjectUser.status === 'suspended' ? 'suspended' : 'active'}`)}
                </Badge>
              </dd>
              <dt>{t('users.activeSessions')}</dt>
              <dd>{formatNumber(subjectUser.activeSessions)}</dd>
            </dl>
            <div className="row">
              <Button
                variant={subjectUser.status === 'suspended' ? 'primary' : 'danger'}
                onClick={() => setSuspendFor(subjectUser)}
              >
                {subjectUser.status === 'suspended' ? t('users.unsuspend') : t('alerts.suspendUser')}
              </Button>
            </div>
          </Card>
        )}
        <Card title={t('alerts.comments')}>
          {a.comments.length === 0 ? (
            <EmptyState title={t('alerts.noComments')} />
          ) : (
            <ol className="timeline">
              {a.comments.map((c) => (
                <li key={c.id}>
                  <div className="timeline-meta">
                    {formatDateTime(c.createdAt)}
                    {c.stateTo && <> · {t(`alerts.state.${c.stateTo}`)}</>}
                  </div>
                  {c.body && <p className="pre">{c.body}</p>}
                </li>
              ))}
            </ol>
          )}
          <form
            className="stack"
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              if (comment.trim()) void change({ comment: comment.trim() }, 'comment');
            }}
          >
            <TextArea
              label={t('alerts.addComment')}
              value={comment}
              maxLength={2000}
              onChange={(e) => setComment(e.target.value)}
            />
            <Button type="submit" busy={busy === 'comment'} disabled={!comment.trim()}>
              {t('alerts.postComment')}
            </Button>
          </form>
        </Card>
      </div>
      <SuspendDialog
        slug={slug}
        user={suspendFor}
        onClose={() => setSuspendFor(null)}
        onDone={() => {
          users.reload();
          detail.reload();
        }}
      />
    </>
  );
}
