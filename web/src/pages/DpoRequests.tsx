// DPO: data-subject requests with their Art. 12(3) deadline. Find the customer (the search term
// travels in a POST body, never in the URL), record the identity check, then act: export (access),
// erase (crypto-shred, with a certificate), restrict / lift, close.
import { type FormEvent, useState } from 'react';
import { api, query, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import {
  Alert,
  Badge,
  Button,
  Card,
  Dialog,
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

interface SubjectRequest {
  id: string;
  customerId: string;
  type: 'access' | 'rectification' | 'erasure' | 'restriction';
  state: 'received' | 'in_effect' | 'completed' | 'rejected';
  receivedAt: string;
  dueAt: string;
  overdue: boolean;
  identityCheck: { method: string };
  completedAt: string | null;
}
interface ExportSummary {
  requestId: string;
  json: string;
  conversations: number;
  messages: number;
  accessEvents: number;
  erased: boolean;
}

const TYPES = ['access', 'erasure', 'restriction', 'rectification'] as const;
const METHODS = [
  'id_document_sighted',
  'account_login',
  'email_confirmation',
  'knowledge_based',
  'in_person',
  'other',
];
const STATES = ['received', 'in_effect', 'completed', 'rejected'];
const stateTone = (s: string): Tone =>
  s === 'received' ? 'info' : s === 'in_effect' ? 'warning' : s === 'completed' ? 'success' : 'neutral';
const DAY = 86_400_000;

export function DpoRequestsPage({ slug }: { slug: string }) {
  const { t, formatDateTime, formatNumber } = useI18n();
  const toast = useToast();
  const [state, setState] = useState('');
  const list = useLoad(
    () =>
      api<{ items: SubjectRequest[]; overdue: number }>(
        'GET',
        tenantPath(slug, `/privacy/requests${query({ state })}`),
      ),
    [slug, state],
  );
  const [busy, setBusy] = useState<string | null>(null);
  const [exported, setExported] = useState<ExportSummary | null>(null);
  const [confirmErase, setConfirmErase] = useState<SubjectRequest | null>(null);

  const run = async (key: string, fn: () => Promise<unknown>, done: string) => {
    setBusy(key);
    try {
      await fn();
      toast(done);
      list.reload();
    } catch (e) {
      toast(errorText(t, e), 'danger');
    } finally {
      setBusy(null);
    }
  };
  const customerPath = (r: SubjectRequest, action: string) =>
    tenantPath(slug, `/privacy/customers/${r.customerId}/${action}`);

  const doExport = (r: SubjectRequest) =>
    run(
      `export-${r.id}`,
      async () => {
        const e = await api<{
          erased?: boolean;
          conversations?: Array<{ messages?: unknown[] }>;
          accessHistory?: unknown[];
        }>('GET', customerPath(r, 'export'));
        setExported({
          requestId: r.id,
          json: JSON.stringify(e, null, 2),
          conversations: e.conversations?.length ?? 0,
          messages: (e.conversations ?? []).reduce((n, c) => n + (c.messages?.length ?? 0), 0),
          accessEvents: e.accessHistory?.length ?? 0,
          erased: !!e.erased,
        });
      },
      t('dpo.exported'),
    );

  const download = (x: ExportSummary) => {
    // A blob URL names no person; it is revoked right after the click.
    const url = URL.createObjectURL(new Blob([x.json], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `subject-export-${x.requestId.slice(0, 8)}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const deadline = (r: SubjectRequest) => {
    if (r.completedAt) return formatDateTime(r.completedAt);
    const days = Math.ceil((new Date(r.dueAt).getTime() - Date.now()) / DAY);
    return (
      <span className="stack-tight">
        <span>{formatDateTime(r.dueAt)}</span>
        {r.overdue || days < 0 ? (
          <Badge tone="danger">{t('dpoRequests.overdue')}</Badge>
        ) : (
          <Badge tone={days <= 7 ? 'warning' : 'neutral'}>
            {t('dpo.daysLeft', { n: formatNumber(days) })}
          </Badge>
        )}
      </span>
    );
  };

  const actions = (r: SubjectRequest) => {
    const open = r.state === 'received';
    const b = (
      key: string,
      label: string,
      onClick: () => void,
      variant: 'secondary' | 'danger' | 'ghost' = 'secondary',
    ) => (
      <Button key={key} size="sm" variant={variant} busy={busy === `${key}-${r.id}`} onClick={onClick}>
        {label}
      </Button>
    );
    const out = [];
    if (r.type === 'access' && open) out.push(b('export', t('dpo.export'), () => void doExport(r)));
    if (r.type === 'erasure' && open)
      out.push(b('erase', t('dpo.erase'), () => setConfirmErase(r), 'danger'));
    if (r.type === 'restriction' && open)
      out.push(
        b(
          'restrict',
          t('dpo.restrict'),
          () =>
            void run(
              `restrict-${r.id}`,
              () => api('POST', customerPath(r, 'restrict'), { requestId: r.id }),
              t('dpo.restricted'),
            ),
        ),
      );
    if (r.type === 'restriction' && r.state === 'in_effect')
      out.push(
        b(
          'unrestrict',
          t('dpo.unrestrict'),
          () =>
            void run(
              `unrestrict-${r.id}`,
              () => api('POST', customerPath(r, 'unrestrict'), { requestId: r.id }),
              t('dpo.unrestricted'),
            ),
        ),
      );
    if (open && r.type !== 'erasure')
      out.push(
        b(
          'complete',
          t('dpo.complete'),
          () =>
            void run(
              `complete-${r.id}`,
              () =>
                api('POST', tenantPath(slug, `/privacy/requests/${r.id}/close`), { outcome: 'completed' }),
              t('dpo.closed'),
            ),
          'ghost',
        ),
      );
    if (open)
      out.push(
        b(
          'reject',
          t('dpo.reject'),
          () =>
            void run(
              `reject-${r.id}`,
              () => api('POST', tenantPath(slug, `/privacy/requests/${r.id}/close`), { outcome: 'rejected' }),
              t('dpo.closed'),
            ),
          'ghost',
        ),
      );
    return <div className="row row-wrap">{out}</div>;
  };

  const items = list.data?.items ?? [];
  return (
    <>
      <PageHeader title={t('dpoRequests.title')} subtitle={t('dpo.subtitle')} />
      <NewRequest slug={slug} onCreated={list.reload} />
      <Card
        title={t('dpoRequests.requests')}
        actions={
          list.data && list.data.overdue > 0 ? (
            <Badge tone="danger">{t('dpo.overdueCount', { n: list.data.overdue })}</Badge>
          ) : undefined
        }
      >
        <div className="filters">
          <Select
            label={t('common.status')}
            value={state}
            onChange={(e) => setState(e.target.value)}
            options={[
              { value: '', label: t('common.any') },
              ...STATES.map((s) => ({ value: s, label: t(`dpo.state.${s}`) })),
            ]}
          />
        </div>
        {list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} />
        ) : !list.data ? (
          <Spinner />
        ) : (
          <Table
            caption={t('dpoRequests.requests')}
            rows={items}
            rowKey={(r) => r.id}
            empty={<EmptyState title={t('dpo.empty')}>{t('dpo.emptyBody')}</EmptyState>}
            columns={[
              { key: 'type', header: t('dpoRequests.type'), render: (r) => t(`dpo.type.${r.type}`) },
              {
                key: 'customer',
                header: t('dpoRequests.customer'),
                render: (r) => <code>{r.customerId.slice(0, 8)}</code>,
              },
              {
                key: 'state',
                header: t('common.status'),
                render: (r) => <Badge tone={stateTone(r.state)}>{t(`dpo.state.${r.state}`)}</Badge>,
              },
              { key: 'received', header: t('dpo.received'), render: (r) => formatDateTime(r.receivedAt) },
              { key: 'due', header: t('dpoRequests.due'), render: deadline },
              { key: 'actions', header: t('common.actions'), className: 'cell-actions', render: actions },
            ]}
          />
        )}
      </Card>
      {exported && (
        <Card
          title={t('dpo.exportTitle')}
          actions={
            <>
              <Button size="sm" variant="primary" onClick={() => download(exported)}>
                {t('dpo.download')}
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setExported(null)}>
                {t('common.close')}
              </Button>
            </>
          }
        >
          <p data-testid="export-summary">
            {exported.erased
              ? t('dpo.exportErased')
              : t('dpo.exportSummary', {
                  conversations: formatNumber(exported.conversations),
                  messages: formatNumber(exported.messages),
                  events: formatNumber(exported.accessEvents),
                })}
          </p>
        </Card>
      )}
      <Dialog
        open={confirmErase !== null}
        title={t('dpo.eraseTitle')}
        onClose={() => setConfirmErase(null)}
        footer={
          <>
            <Button variant="ghost" onClick={() => setConfirmErase(null)}>
              {t('common.cancel')}
            </Button>
            <Button
              variant="danger"
              busy={busy === `erase-${confirmErase?.id}`}
              onClick={() => {
                const r = confirmErase!;
                void run(
                  `erase-${r.id}`,
                  async () => {
                    await api('POST', customerPath(r, 'erase'), { requestId: r.id });
                    setConfirmErase(null);
                  },
                  t('dpo.erased'),
                );
              }}
            >
              {t('dpo.eraseConfirm')}
            </Button>
          </>
        }
      >
        <Alert tone="warning">{t('dpo.eraseWarning')}</Alert>
      </Dialog>
    </>
  );
}

function NewRequest({ slug, onCreated }: { slug: string; onCreated(): void }) {
  const { t } = useI18n();
  const toast = useToast();
  const [by, setBy] = useState<'email' | 'customerNumber' | 'phone'>('email');
  const [term, setTerm] = useState('');
  const [found, setFound] = useState<Array<{ id: string; name: string | null }> | null>(null);
  const [customerId, setCustomerId] = useState('');
  const [type, setType] = useState<string>('access');
  const [method, setMethod] = useState(METHODS[0]!);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const search = async (e: FormEvent) => {
    e.preventDefault();
    if (!term.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ items: Array<{ id: string; name: string | null }> }>(
        'POST',
        tenantPath(slug, '/customers/lookup'),
        { [by]: term.trim() },
      );
      setFound(r.items);
      setCustomerId(r.items[0]?.id ?? '');
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  const create = async () => {
    setBusy(true);
    try {
      await api('POST', tenantPath(slug, '/privacy/requests'), {
        customerId,
        type,
        identityCheck: { method },
      });
      toast(t('dpo.created'));
      setFound(null);
      setTerm('');
      onCreated();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('dpo.new')}>
      <form className="filters" onSubmit={search} noValidate>
        <Select
          label={t('dpo.findBy')}
          value={by}
          onChange={(e) => setBy(e.target.value as typeof by)}
          options={(['email', 'customerNumber', 'phone'] as const).map((x) => ({
            value: x,
            label: t(`dpo.findBy.${x}`),
          }))}
        />
        <Input
          label={t('dpo.searchTerm')}
          value={term}
          autoComplete="off"
          onChange={(e) => setTerm(e.target.value)}
          error={error}
        />
        <div className="filters-submit">
          <Button type="submit" busy={busy && !found} disabled={!term.trim()}>
            {t('dpo.find')}
          </Button>
        </div>
      </form>
      {found &&
        (found.length === 0 ? (
          <EmptyState title={t('dpo.noMatch')} />
        ) : (
          <div className="filters">
            <Select
              label={t('dpoRequests.customer')}
              value={customerId}
              onChange={(e) => setCustomerId(e.target.value)}
              options={found.map((c) => ({ value: c.id, label: `${c.name ?? '—'} (${c.id.slice(0, 8)})` }))}
            />
            <Select
              label={t('dpoRequests.type')}
              value={type}
              onChange={(e) => setType(e.target.value)}
              options={TYPES.map((x) => ({ value: x, label: t(`dpo.type.${x}`) }))}
            />
            <Select
              label={t('dpo.identity')}
              value={method}
              onChange={(e) => setMethod(e.target.value)}
              options={METHODS.map((x) => ({ value: x, label: t(`dpo.identity.${x}`) }))}
            />
            <div className="filters-submit">
              <Button variant="primary" busy={busy} onClick={() => void create()} disabled={!customerId}>
                {t('dpo.open')}
              </Button>
            </div>
          </div>
        ))}
    </Card>
  );
}
