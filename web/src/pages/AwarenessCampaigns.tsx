// The security officer's phishing simulations: build a campaign from a template, launch it, read
// its results (individuals: this role only) and the reported mails. Supervisors get the measures
// page: aggregates per team and tenant, groups under the minimum size suppressed.
import { useState } from 'react';
import { api, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { Badge, Button, Card, ErrorState, errorText, Input, PageHeader, Select, Spinner, Table, useToast } from '../ui';

interface Campaign {
  id: string;
  name: string;
  template: string;
  state: 'draft' | 'running' | 'finished';
  windowStart: string;
  windowEnd: string;
}
interface Figures {
  recipients: number;
  sent: number;
  clicked: number;
  submitted: number;
  reported: number;
  clickRate: number | null;
  submitRate: number | null;
  reportRate: number | null;
  secondsToFirstReport: number | null;
}
type Group = ({ suppressed: false } & Figures) | { suppressed: true; minGroup: number };
interface Results {
  figures: Figures;
  recipients: Array<{ userId: string; displayName: string; clickedAt: string | null; submittedAt: string | null; reportedAt: string | null }>;
}

const TEMPLATES = ['parcel', 'password_expiry', 'urgent_refund', 'colleague_chat'];
const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)} %`);
const when = (v: string | null) => (v ? new Date(v).toLocaleString() : '—');
const localInput = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

export function FiguresLine({ f }: { f: Group }) {
  const { t } = useI18n();
  if (f.suppressed) return <Badge>{t('awareness.suppressed', { min: f.minGroup })}</Badge>;
  return (
    <span>
      {t('awareness.figures', { sent: f.sent, click: pct(f.clickRate), submit: pct(f.submitRate), report: pct(f.reportRate) })}
      {f.secondsToFirstReport !== null && ` · ${t('awareness.firstReport', { minutes: Math.round(f.secondsToFirstReport / 60) })}`}
    </span>
  );
}

function NewCampaign({ slug, onCreated }: { slug: string; onCreated: () => void }) {
  const { t } = useI18n();
  const toast = useToast();
  const [name, setName] = useState('');
  const [template, setTemplate] = useState('parcel');
  const [language, setLanguage] = useState('');
  const [start, setStart] = useState(localInput(new Date()));
  const [end, setEnd] = useState(localInput(new Date(Date.now() + 4 * 3600_000)));
  const create = async () => {
    try {
      await api('POST', tenantPath(slug, '/awareness/campaigns'), {
        name,
        template,
        ...(language ? { language } : {}),
        targetRoles: ['agent'],
        windowStart: new Date(start).toISOString(),
        windowEnd: new Date(end).toISOString(),
      });
      toast(t('awareness.created'));
      setName('');
      onCreated();
    } catch (e) {
      toast(errorText(t, e), 'danger');
    }
  };
  return (
    <Card title={t('awareness.newCampaign')}>
      <Input label={t('awareness.name')} value={name} onChange={(e) => setName(e.target.value)} />
      <Select label={t('awareness.template')} value={template} onChange={(e) => setTemplate(e.target.value)} options={TEMPLATES.map((k) => ({ value: k, label: t(`awareness.template.${k}`) }))} />
      <Select
        label={t('awareness.language')}
        value={language}
        onChange={(e) => setLanguage(e.target.value)}
        options={[{ value: '', label: t('awareness.recipientLanguage') }, ...['de', 'en', 'fr'].map((l) => ({ value: l, label: l }))]}
      />
      <Input label={t('awareness.windowStart')} type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} />
      <Input label={t('awareness.windowEnd')} type="datetime-local" value={end} onChange={(e) => setEnd(e.target.value)} />
      <Button variant="primary" disabled={!name.trim()} onClick={() => void create()}>{t('awareness.create')}</Button>
    </Card>
  );
}

export function AwarenessCampaignsPage({ slug }: { slug: string }) {
  const { t } = useI18n();
  const toast = useToast();
  const list = useLoad(() => api<{ campaigns: Campaign[] }>('GET', tenantPath(slug, '/awareness/campaigns')), [slug]);
  const [results, setResults] = useState<Results | null>(null);
  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      list.reload();
    } catch (e) {
      toast(errorText(t, e), 'danger');
    }
  };
  const show = (id: string) => act(async () => setResults(await api<Results>('GET', tenantPath(slug, `/awareness/campaigns/${id}/results`))));
  return (
    <>
      <PageHeader title={t('awareness.campaignsTitle')} subtitle={t('awareness.campaignsSubtitle')} />
      <NewCampaign slug={slug} onCreated={list.reload} />
      <Card title={t('awareness.campaigns')}>
        {list.loading && !list.data ? (
          <Spinner />
        ) : list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} />
        ) : (
          <Table
            caption={t('awareness.campaigns')}
            rows={list.data?.campaigns ?? []}
            rowKey={(c) => c.id}
            columns={[
              { key: 'name', header: t('awareness.name'), render: (c) => c.name },
              { key: 'template', header: t('awareness.template'), render: (c) => t(`awareness.template.${c.template}`) },
              { key: 'state', header: t('awareness.state'), render: (c) => <Badge>{t(`awareness.state.${c.state}`)}</Badge> },
              { key: 'window', header: t('awareness.window'), render: (c) => `${when(c.windowStart)} – ${when(c.windowEnd)}` },
              {
                key: 'actions',
                header: t('awareness.actions'),
                render: (c) =>
                  c.state === 'draft' ? (
                    <Button size="sm" onClick={() => void act(() => api('POST', tenantPath(slug, `/awareness/campaigns/${c.id}/launch`), {}))}>
                      {t('awareness.launch')}
                    </Button>
                  ) : (
                    <Button size="sm" variant="ghost" onClick={() => void show(c.id)}>{t('awareness.results')}</Button>
                  ),
              },
            ]}
          />
        )}
      </Card>
      {results && (
        <Card title={t('awareness.results')}>
          <p><FiguresLine f={{ suppressed: false, ...results.figures }} /></p>
          <Table
            caption={t('awareness.results')}
            rows={results.recipients}
            rowKey={(r) => r.userId}
            columns={[
              { key: 'who', header: t('awareness.recipient'), render: (r) => r.displayName },
              { key: 'clicked', header: t('awareness.clicked'), render: (r) => when(r.clickedAt) },
              { key: 'submitted', header: t('awareness.submitted'), render: (r) => when(r.submittedAt) },
              { key: 'reported', header: t('awareness.reported'), render: (r) => when(r.reportedAt) },
            ]}
          />
        </Card>
      )}
    </>
  );
}

export function AwarenessMeasuresPage({ slug }: { slug: string }) {
  const { t } = useI18n();
  const m = useLoad(
    () => api<{ campaigns: Array<{ campaignId: string; name: string; tenant: Group; teams: Array<Group & { team: string | null }> }> }>('GET', tenantPath(slug, '/awareness/measures')),
    [slug],
  );
  return (
    <>
      <PageHeader title={t('awareness.measuresTitle')} subtitle={t('awareness.measuresSubtitle')} />
      {m.loading && !m.data ? <Spinner /> : m.error ? <ErrorState error={m.error} onRetry={m.reload} /> : null}
      {m.data?.campaigns.map((c) => (
        <Card key={c.campaignId} title={c.name}>
          <p><FiguresLine f={c.tenant} /></p>
          <ul>
            {c.teams.map((g, i) => (
              <li key={g.team ?? i}>
                {t('awareness.team', { n: i + 1 })}: <FiguresLine f={g} />
              </li>
            ))}
          </ul>
        </Card>
      ))}
    </>
  );
}
