// The DPO's compliance console: subject requests with deadlines, retention policies and run
// reports, legal holds, consents, the breach register with its 72-hour clock, the Art. 30 record,
// access reviews and the client security report. Ids, categories and counts only.
import { type FormEvent, type ReactNode, useState } from 'react';
import { api, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorState,
  errorText,
  Input,
  PageHeader,
  Select,
  Spinner,
  Table,
  type Tone,
  useToast,
} from '../ui';

const CATEGORIES = ['chat', 'email', 'transcripts', 'recordings', 'customer_profiles', 'audit_events'];
const CLOCK_TONE: Record<string, Tone> = {
  open: 'info',
  warning: 'warning',
  overdue: 'danger',
  met: 'success',
  late: 'warning',
  not_required: 'neutral',
};
const day = (s: string | null) => (s ? new Date(s).toLocaleString() : '-');

function Loaded<T>({
  l,
  children,
}: {
  l: { data: T | null; error: unknown; loading: boolean; reload(): void };
  children: (d: T) => ReactNode;
}) {
  if (l.error) return <ErrorState error={l.error} onRetry={l.reload} />;
  if (!l.data) return <Spinner />;
  return <>{children(l.data)}</>;
}

function Docs({ slug, path, name }: { slug: string; path: string; name: string }) {
  const { t, code } = useI18n();
  const href = (f: string) => `${tenantPath(slug, path)}?format=${f}`;
  return (
    <p className="row">
      <a href={href('html')} target="_blank" rel="noopener">{`${name} (HTML)`}</a> ·{' '}
      <a href={href('pdf')}>{`${name} (PDF)`}</a> · <a href={href('json')}>{t('dpo.json')}</a>
    </p>
  );
}

export function DpoCompliancePage({ slug }: { slug: string }) {
  const { t, code } = useI18n();
  const toast = useToast();
  const c = (rest: string) => tenantPath(slug, `/compliance${rest}`);
  const requests = useLoad(
    () =>
      api<{
        items: Array<{ id: string; type: string; state: string; dueAt: string; overdue: boolean }>;
        overdue: number;
      }>('GET', tenantPath(slug, '/privacy/requests')),
    [slug],
  );
  const policies = useLoad(
    () =>
      api<{ items: Array<{ category: string; days: number; enabled: boolean }> }>(
        'GET',
        c('/retention/policies'),
      ),
    [slug],
  );
  const runs = useLoad(
    () =>
      api<{
        items: Array<{
          id: string;
          state: string;
          asOf: string;
          deleted: Record<string, number>;
          heldBack: Record<string, number>;
        }>;
      }>('GET', c('/retention/runs')),
    [slug],
  );
  const holds = useLoad(
    () =>
      api<{
        items: Array<{
          id: string;
          scope: string;
          targetId: string;
          reference: string;
          active: boolean;
          createdAt: string;
        }>;
      }>('GET', c('/legal-holds')),
    [slug],
  );
  const breaches = useLoad(
    () =>
      api<{
        items: Array<{
          id: string;
          title: string;
          status: string;
          risk: string;
          clock: { state: string; hoursLeft: number; notifyBy: string };
        }>;
        warnings: number;
      }>('GET', c('/breaches')),
    [slug],
  );
  const reviews = useLoad(
    () =>
      api<{
        items: Array<{
          id: string;
          state: string;
          createdAt: string;
          summary: { items: number; proposedRevoke: number; decided: number; revoked: number };
        }>;
      }>('GET', c('/access-reviews')),
    [slug],
  );
  const [category, setCategory] = useState('chat');
  const [days, setDays] = useState('365');
  const [hold, setHold] = useState({ scope: 'customer', targetId: '', reference: '' });
  const [breach, setBreach] = useState({ title: '', detectedAt: '' });
  const [consentFor, setConsentFor] = useState('');
  const [consents, setConsents] = useState<{
    current: Record<string, boolean>;
    records: Array<{
      id: string;
      purpose: string;
      source: string;
      textVersion: string;
      recordedAt: string;
      active: boolean;
    }>;
  } | null>(null);

  const act = async (fn: () => Promise<unknown>, done: string, reload: Array<() => void>) => {
    try {
      await fn();
      toast(done);
      for (const r of reload) r();
    } catch (e) {
      toast(errorText(t, e), 'danger');
    }
  };
  const submit = (fn: () => Promise<void>) => (e: FormEvent) => {
    e.preventDefault();
    void fn();
  };

  return (
    <>
      <PageHeader title={t('dpo.title')} subtitle={slug} />
      <Card title={t('dpo.requests')}>
        <Loaded l={requests}>
          {(d) => (
            <Table
              caption={t('dpo.requests')}
              rows={d.items}
              rowKey={(r) => r.id}
              empty={<EmptyState title={t('dpo.none')} />}
              columns={[
                { key: 'type', header: t('dpo.type'), render: (r) => t(`dpo.type.${r.type}`) },
                { key: 'state', header: t('dpo.state'), render: (r) => t(`dpo.state.${r.state}`) },
                {
                  key: 'due',
                  header: t('dpo.due'),
                  render: (r) =>
                    r.overdue ? (
                      <Badge tone="danger">{`${t('dpo.overdue')} ${day(r.dueAt)}`}</Badge>
                    ) : (
                      day(r.dueAt)
                    ),
                },
              ]}
            />
          )}
        </Loaded>
      </Card>
      <div className="grid grid-2">
        <Card title={t('dpo.retention')}>
          <Loaded l={policies}>
            {(d) => (
              <Table
                caption={t('dpo.retention')}
                rows={d.items}
                rowKey={(p) => p.category}
                empty={<EmptyState title={t('dpo.none')} />}
                columns={[
                  { key: 'c', header: t('dpo.category'), render: (p) => code('dpo.category', p.category) },
                  { key: 'd', header: t('dpo.days'), render: (p) => String(p.days) },
                ]}
              />
            )}
          </Loaded>
          <form
            className="stack"
            onSubmit={submit(() =>
              act(
                () => api('PUT', c(`/retention/policies/${category}`), { days: Number(days) }),
                t('dpo.saved'),
                [policies.reload],
              ),
            )}
          >
            <Select
              label={t('dpo.category')}
              value={category}
              onChange={(e) => setCategory(e.target.value)}
              options={CATEGORIES.map((x) => ({ value: x, label: code('dpo.category', x) }))}
            />
            <Input
              label={t('dpo.days')}
              type="number"
              min={1}
              max={36500}
              value={days}
              onChange={(e) => setDays(e.target.value)}
            />
            <Button type="submit" variant="primary">
              {t('dpo.savePolicy')}
            </Button>
          </form>
          <Button
            onClick={() =>
              void act(() => api('POST', c('/retention/runs'), {}), t('dpo.runDone'), [runs.reload])
            }
          >
            {t('dpo.runNow')}
          </Button>
        </Card>
        <Card title={t('dpo.runs')}>
          <Loaded l={runs}>
            {(d) => (
              <Table
                caption={t('dpo.runs')}
                rows={d.items}
                rowKey={(r) => r.id}
                empty={<EmptyState title={t('dpo.none')} />}
                columns={[
                  { key: 'at', header: t('dpo.asOf'), render: (r) => day(r.asOf) },
                  { key: 's', header: t('dpo.state'), render: (r) => code('state', r.state) },
                  {
                    key: 'd',
                    header: t('dpo.deleted'),
                    render: (r) => (
                      <code>
                        {Object.entries(r.deleted)
                          .map(([k, v]) => `${k}:${v}`)
                          .join(' ')}
                      </code>
                    ),
                  },
                  {
                    key: 'h',
                    header: t('dpo.held'),
                    render: (r) => (
                      <code>
                        {Object.entries(r.heldBack)
                          .map(([k, v]) => `${k}:${v}`)
                          .join(' ')}
                      </code>
                    ),
                  },
                ]}
              />
            )}
          </Loaded>
        </Card>
      </div>
      <Card title={t('dpo.holds')}>
        <Loaded l={holds}>
          {(d) => (
            <Table
              caption={t('dpo.holds')}
              rows={d.items}
              rowKey={(h) => h.id}
              empty={<EmptyState title={t('dpo.none')} />}
              columns={[
                { key: 's', header: t('dpo.scope'), render: (h) => h.scope },
                { key: 't', header: t('dpo.target'), render: (h) => <code>{h.targetId}</code> },
                { key: 'r', header: t('dpo.reference'), render: (h) => h.reference },
                {
                  key: 'a',
                  header: t('common.actions'),
                  render: (h) =>
                    h.active ? (
                      <Button
                        size="sm"
                        onClick={() =>
                          void act(
                            () => api('POST', c(`/legal-holds/${h.id}/release`), {}),
                            t('dpo.released'),
                            [holds.reload],
                          )
                        }
                      >
                        {t('dpo.release')}
                      </Button>
                    ) : (
                      t('dpo.releasedLabel')
                    ),
                },
              ]}
            />
          )}
        </Loaded>
        <form
          className="row"
          onSubmit={submit(() =>
            act(() => api('POST', c('/legal-holds'), hold), t('dpo.saved'), [holds.reload]),
          )}
        >
          <Select
            label={t('dpo.scope')}
            value={hold.scope}
            onChange={(e) => setHold({ ...hold, scope: e.target.value })}
            options={[
              { value: 'customer', label: t('dpo.customer') },
              { value: 'conversation', label: t('dpo.conversation') },
            ]}
          />
          <Input
            label={t('dpo.target')}
            value={hold.targetId}
            onChange={(e) => setHold({ ...hold, targetId: e.target.value.trim() })}
          />
          <Input
            label={t('dpo.reference')}
            value={hold.reference}
            maxLength={80}
            onChange={(e) => setHold({ ...hold, reference: e.target.value })}
          />
          <Button type="submit" variant="primary">
            {t('dpo.placeHold')}
          </Button>
        </form>
      </Card>
      <Card title={t('dpo.breaches')}>
        <Loaded l={breaches}>
          {(d) => (
            <Table
              caption={t('dpo.breaches')}
              rows={d.items}
              rowKey={(b) => b.id}
              empty={<EmptyState title={t('dpo.none')} />}
              columns={[
                { key: 't', header: t('dpo.breachTitle'), render: (b) => b.title },
                { key: 's', header: t('dpo.state'), render: (b) => `${code('state', b.status)} / ${code('state', b.risk)}` },
                {
                  key: 'c',
                  header: t('dpo.clock'),
                  render: (b) => (
                    <Badge tone={CLOCK_TONE[b.clock.state] ?? 'neutral'}>
                      {t('dpo.clockText', { state: b.clock.state, hours: b.clock.hoursLeft })}
                    </Badge>
                  ),
                },
                {
                  key: 'n',
                  header: t('dpo.notification'),
                  render: (b) => <a href={`${c(`/breaches/${b.id}/notification`)}?format=pdf`}>PDF</a>,
                },
              ]}
            />
          )}
        </Loaded>
        <form
          className="row"
          onSubmit={submit(() =>
            act(
              () =>
                api('POST', c('/breaches'), {
                  title: breach.title,
                  detectedAt: new Date(breach.detectedAt).toISOString(),
                  // Conservative: the 72-hour clock runs from detection unless a later awareness is stated.
                  awareAt: new Date(breach.detectedAt).toISOString(),
                }),
              t('dpo.saved'),
              [breaches.reload],
            ),
          )}
        >
          <Input
            label={t('dpo.breachTitle')}
            value={breach.title}
            maxLength={200}
            onChange={(e) => setBreach({ ...breach, title: e.target.value })}
          />
          <Input
            label={t('dpo.detectedAt')}
            type="datetime-local"
            value={breach.detectedAt}
            onChange={(e) => setBreach({ ...breach, detectedAt: e.target.value })}
          />
          <Button type="submit" variant="primary" disabled={!breach.title || !breach.detectedAt}>
            {t('dpo.recordBreach')}
          </Button>
        </form>
      </Card>
      <div className="grid grid-2">
        <Card title={t('dpo.consents')}>
          <form
            className="row"
            onSubmit={submit(async () => {
              try {
                setConsents(await api('GET', c(`/consents/customers/${encodeURIComponent(consentFor)}`)));
              } catch (e) {
                toast(errorText(t, e), 'danger');
              }
            })}
          >
            <Input
              label={t('dpo.customer')}
              value={consentFor}
              onChange={(e) => setConsentFor(e.target.value.trim())}
            />
            <Button type="submit">{t('dpo.show')}</Button>
          </form>
          {consents && (
            <Table
              caption={t('dpo.consents')}
              rows={consents.records}
              rowKey={(r) => r.id}
              empty={<EmptyState title={t('dpo.none')} />}
              columns={[
                { key: 'p', header: t('dpo.purpose'), render: (r) => r.purpose },
                { key: 's', header: t('dpo.source'), render: (r) => `${r.source} · ${r.textVersion}` },
                {
                  key: 'a',
                  header: t('dpo.state'),
                  render: (r) =>
                    r.active ? (
                      <Badge tone="success">{t('dpo.active')}</Badge>
                    ) : (
                      <Badge>{t('dpo.inactive')}</Badge>
                    ),
                },
              ]}
            />
          )}
        </Card>
        <Card title={t('dpo.reviews')}>
          <Loaded l={reviews}>
            {(d) => (
              <Table
                caption={t('dpo.reviews')}
                rows={d.items}
                rowKey={(r) => r.id}
                empty={<EmptyState title={t('dpo.none')} />}
                columns={[
                  { key: 'c', header: t('dpo.asOf'), render: (r) => day(r.createdAt) },
                  { key: 's', header: t('dpo.state'), render: (r) => code('state', r.state) },
                  {
                    key: 'n',
                    header: t('dpo.reviewSummary'),
                    render: (r) =>
                      t('dpo.reviewCounts', {
                        items: r.summary.items,
                        proposed: r.summary.proposedRevoke,
                        revoked: r.summary.revoked,
                      }),
                  },
                ]}
              />
            )}
          </Loaded>
          <Button
            onClick={() =>
              void act(() => api('POST', c('/access-reviews'), { unusedDays: 90 }), t('dpo.saved'), [
                reviews.reload,
              ])
            }
          >
            {t('dpo.startReview')}
          </Button>
        </Card>
      </div>
      <Card title={t('dpo.documents')}>
        <Docs slug={slug} path="/compliance/processing-record" name={t('dpo.ropa')} />
        <Docs slug={slug} path="/compliance/security-report" name={t('dpo.securityReport')} />
      </Card>
    </>
  );
}
