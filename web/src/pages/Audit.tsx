// Audit log search (actor, action, outcome, date range, paging), verification and the latest
// signed checkpoint.
import { type FormEvent, useState } from 'react';
import { api, query, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import en from '../i18n/en.json';
import {
  Alert,
  Button,
  Card,
  EmptyState,
  ErrorState,
  errorText,
  Input,
  PageHeader,
  Select,
  Spinner,
} from '../ui';
import { AUDIT_CATEGORIES, type AuditEvent, EventTable } from './audit/EventTable';
import { ExportButtons } from './audit/Export';

interface Checkpoint {
  treeSize: number;
  rootHash: string;
  time: string;
  keyId: string;
  signature: string;
}
interface VerifyReport {
  ok: boolean;
  events: number;
  seconds: number;
  chains: Array<{
    ok: boolean;
    events: number;
    checkpointsChecked: number;
    firstBadSeq?: number;
    kind?: string;
  }>;
}

interface Filters {
  /** A member's name (type-ahead) or a user id. */
  actorId: string;
  action: string;
  category: string;
  outcome: string;
  from: string;
  to: string;
}
const EMPTY: Filters = { actorId: '', action: '', category: '', outcome: '', from: '', to: '' };
const PAGE = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);
/** Every action code the console has words for: the type-ahead of the action filter. */
const ACTION_CODES = Object.keys(en)
  .filter((k) => k.startsWith('audit.act.'))
  .map((k) => k.slice('audit.act.'.length));

export function AuditPage({ slug }: { slug: string }) {
  const { t, code, formatDateTime, formatNumber } = useI18n();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [cursors, setCursors] = useState<Array<number | null>>([null]);
  const [formError, setFormError] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1] ?? null;

  const page = useLoad(
    () =>
      api<{ events: AuditEvent[]; nextCursor: number | null }>(
        'GET',
        tenantPath(
          slug,
          `/audit/events${query({
            actorId: filters.actorId,
            action: filters.action,
            category: filters.category,
            outcome: filters.outcome,
            from: toIso(filters.from),
            to: toIso(filters.to),
            limit: PAGE,
            cursor,
          })}`,
        ),
      ),
    [slug, filters, cursor],
  );
  const actors = useLoad(
    () =>
      api<{ actors: Array<{ id: string; displayName: string }> }>('GET', tenantPath(slug, '/audit/actors')),
    [slug],
  );
  const names = new Map((actors.data?.actors ?? []).map((a) => [a.id, a.displayName]));
  /** A typed name → the member's id (exact name, else the one name containing it). */
  const actorIdOf = (typed: string): string | null => {
    const s = typed.trim().toLowerCase();
    if (UUID.test(s)) return s;
    const list = actors.data?.actors ?? [];
    const exact = list.filter((a) => a.displayName.toLowerCase() === s);
    const partial = list.filter((a) => a.displayName.toLowerCase().includes(s));
    const hit = exact.length === 1 ? exact : partial;
    return hit.length === 1 ? hit[0]!.id : null;
  };
  /** A typed action: its code, else every action whose words contain the text. */
  const actionOf = (typed: string): string | null => {
    const s = typed.trim().toLowerCase();
    if (!s || ACTION_CODES.includes(s)) return s;
    const hit = ACTION_CODES.filter((c) => code('audit.act', c).toLowerCase().includes(s));
    if (hit.length >= 1 && hit.length <= 20) return hit.join(',');
    return /^[a-z_.]{1,64}$/.test(s) ? s : null;
  };
  const checkpoint = useLoad(
    () => api<{ checkpoint: Checkpoint | null }>('GET', tenantPath(slug, '/audit/checkpoints/latest')),
    [slug],
  );
  const [verify, setVerify] = useState<{ busy: boolean; report: VerifyReport | null; error: unknown }>({
    busy: false,
    report: null,
    error: null,
  });

  const [signing, setSigning] = useState(false);
  const signCheckpoint = async () => {
    setSigning(true);
    try {
      await api('POST', tenantPath(slug, '/audit/checkpoints'));
      checkpoint.reload();
    } catch (e) {
      setVerify({ busy: false, report: null, error: e });
    } finally {
      setSigning(false);
    }
  };

  const search = (e: FormEvent) => {
    e.preventDefault();
    const actorId = draft.actorId.trim() ? actorIdOf(draft.actorId) : '';
    if (actorId === null) return setFormError(t('audit.actorUnknown'));
    const action = actionOf(draft.action);
    if (action === null) return setFormError(t('audit.actionInvalid'));
    setFormError(null);
    setFilters({ ...draft, actorId, action });
    setCursors([null]);
  };

  const runVerify = async () => {
    setVerify({ busy: true, report: null, error: null });
    try {
      const report = await api<VerifyReport>('POST', tenantPath(slug, '/audit/verify'));
      setVerify({ busy: false, report, error: null });
      checkpoint.reload();
    } catch (e) {
      setVerify({ busy: false, report: null, error: e });
    }
  };

  const events = page.data?.events ?? [];
  const cp = checkpoint.data?.checkpoint;
  return (
    <>
      <PageHeader
        title={t('audit.title')}
        subtitle={t('audit.subtitle')}
        actions={
          <Button variant="primary" busy={verify.busy} onClick={() => void runVerify()}>
            {t('audit.verify')}
          </Button>
        }
      />
      <div className="grid grid-2">
        <Card title={t('audit.verification')}>
          {verify.error ? (
            <Alert>{errorText(t, verify.error)}</Alert>
          ) : verify.report ? (
            <div data-testid="verify-result">
              <Alert tone={verify.report.ok ? 'success' : 'danger'}>
                {verify.report.ok
                  ? t('audit.verifyOk', { events: formatNumber(verify.report.events) })
                  : t('audit.verifyFailed', {
                      seq: verify.report.chains.find((c) => !c.ok)?.firstBadSeq ?? '?',
                    })}
              </Alert>
              <p className="muted">
                {t('audit.verifyStats', {
                  checkpoints: formatNumber(
                    verify.report.chains.reduce((n, c) => n + c.checkpointsChecked, 0),
                  ),
                  seconds: verify.report.seconds.toFixed(2),
                })}
              </p>
            </div>
          ) : (
            <p className="muted">{t('audit.verifyHint')}</p>
          )}
        </Card>
        <Card title={t('audit.checkpoint')}>
          {checkpoint.error ? (
            <ErrorState error={checkpoint.error} onRetry={checkpoint.reload} />
          ) : !checkpoint.data ? (
            <Spinner />
          ) : cp ? (
            <dl className="kv">
              <dt>{t('audit.treeSize')}</dt>
              <dd>{formatNumber(cp.treeSize)}</dd>
              <dt>{t('audit.signedAt')}</dt>
              <dd>{formatDateTime(cp.time)}</dd>
              <dt>{t('audit.rootHash')}</dt>
              <dd>
                <code className="hash">{cp.rootHash}</code>
              </dd>
              <dt>{t('audit.keyId')}</dt>
              <dd>
                <code>{cp.keyId}</code>
              </dd>
            </dl>
          ) : (
            <EmptyState
              title={t('audit.noCheckpoint')}
              action={
                <Button size="sm" busy={signing} onClick={() => void signCheckpoint()}>
                  {t('audit.signCheckpoint')}
                </Button>
              }
            >
              {t('audit.noCheckpointBody')}
            </EmptyState>
          )}
        </Card>
      </div>

      <Card title={t('audit.search')}>
        <form className="filters" onSubmit={search} noValidate>
          <Input
            label={t('audit.actor')}
            placeholder={t('audit.actorNamePlaceholder')}
            list="audit-actor-names"
            autoComplete="off"
            value={draft.actorId}
            onChange={(e) => setDraft({ ...draft, actorId: e.target.value })}
          />
          <datalist id="audit-actor-names">
            {(actors.data?.actors ?? []).map((a) => (
              <option key={a.id} value={a.displayName} />
            ))}
          </datalist>
          <Select
            label={t('audit.category')}
            value={draft.category}
            onChange={(e) => setDraft({ ...draft, category: e.target.value })}
            options={[
              { value: '', label: t('common.any') },
              ...AUDIT_CATEGORIES.map((c) => ({ value: c, label: code('audit.category', c) })),
            ]}
          />
          <Input
            label={t('audit.action')}
            placeholder={t('audit.actionPlaceholder')}
            list="audit-action-codes"
            autoComplete="off"
            value={draft.action}
            onChange={(e) => setDraft({ ...draft, action: e.target.value })}
          />
          <datalist id="audit-action-codes">
            {ACTION_CODES.map((c) => (
              <option key={c} value={c} label={code('audit.act', c)} />
            ))}
          </datalist>
          <Select
            label={t('audit.outcome')}
            value={draft.outcome}
            onChange={(e) => setDraft({ ...draft, outcome: e.target.value })}
            options={[
              { value: '', label: t('common.any') },
              { value: 'success', label: t('audit.outcome.success') },
              { value: 'failure', label: t('audit.outcome.failure') },
              { value: 'denied', label: t('audit.outcome.denied') },
            ]}
          />
          <Input
            label={t('audit.from')}
            type="datetime-local"
            value={draft.from}
            onChange={(e) => setDraft({ ...draft, from: e.target.value })}
          />
          <Input
            label={t('audit.to')}
            type="datetime-local"
            value={draft.to}
            onChange={(e) => setDraft({ ...draft, to: e.target.value })}
          />
          <div className="filters-actions">
            <Button type="submit" variant="primary">
              {t('common.search')}
            </Button>
            <Button
              variant="ghost"
              onClick={() => {
                setDraft(EMPTY);
                setFilters(EMPTY);
                setCursors([null]);
                setFormError(null);
              }}
            >
              {t('common.reset')}
            </Button>
          </div>
        </form>
        {formError && <Alert>{formError}</Alert>}
        {page.error ? (
          <ErrorState error={page.error} onRetry={page.reload} />
        ) : !page.data ? (
          <Spinner />
        ) : (
          <>
            <ExportButtons
              slug={slug}
              filters={{
                actorId: filters.actorId,
                action: filters.action,
                category: filters.category,
                outcome: filters.outcome,
                from: toIso(filters.from),
                to: toIso(filters.to),
              }}
            />
            <EventTable slug={slug} events={events} names={names} />
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
                disabled={!page.data.nextCursor}
                onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}
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
