// The customer next to a conversation: fields as the agent's role may see them (date of birth and
// address masked for front-line roles), and caller verification: the agent types what the caller
// says, sees only pass/fail, and the masked fields unlock for this conversation once verified.
import { type FormEvent, type ReactNode, useState } from 'react';
import { api, query, tenantPath } from '../../api';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { Alert, Badge, Button, Card, ErrorState, errorText, Input, Select, Spinner } from '../../ui';
import type { Customer, VerificationState } from './types';

export function CustomerPanel({
  slug,
  customerId,
  conversationId,
}: {
  slug: string;
  customerId: string;
  conversationId: string;
}) {
  const { t } = useI18n();
  const c = useLoad(
    () => api<Customer>('GET', tenantPath(slug, `/customers/${customerId}${query({ conversationId })}`)),
    [slug, customerId, conversationId],
  );
  const masked = new Set(c.data?.masked ?? []);
  const row = (label: string, field: string, value: ReactNode) => (
    <div className="kv-row" data-field={field}>
      <dt>{label}</dt>
      <dd>
        {masked.has(field) ? (
          <span className="masked-value">
            <span aria-hidden="true">•••• </span>
            {t('inbox.maskedField')}
          </span>
        ) : (
          value || '—'
        )}
      </dd>
    </div>
  );
  const addr = c.data?.address;
  return (
    <aside className="customer-panel stack" aria-label={t('inbox.customer')}>
      <Card title={t('inbox.customer')}>
        {c.error ? (
          <ErrorState error={c.error} onRetry={c.reload} />
        ) : !c.data ? (
          <Spinner />
        ) : (
          <dl className="kv kv-stacked" data-testid="customer-fields">
            {row(t('customer.name'), 'name', c.data.name)}
            {row(t('customer.number'), 'customerNumber', c.data.customerNumber)}
            {row(t('customer.emails'), 'emails', c.data.emails?.join(', '))}
            {row(t('customer.phones'), 'phones', c.data.phones?.join(', '))}
            {row(t('customer.language'), 'language', c.data.language)}
            {row(t('customer.dateOfBirth'), 'dateOfBirth', c.data.dateOfBirth)}
            {row(
              t('customer.address'),
              'address',
              addr
                ? [addr.street, [addr.postalCode, addr.city].filter(Boolean).join(' '), addr.country]
                    .filter(Boolean)
                    .join(', ')
                : null,
            )}
          </dl>
        )}
        {masked.size > 0 && <p className="muted small">{t('inbox.maskedHint')}</p>}
      </Card>
      <Verification slug={slug} conversationId={conversationId} onVerified={c.reload} />
    </aside>
  );
}

function Verification({
  slug,
  conversationId,
  onVerified,
}: {
  slug: string;
  conversationId: string;
  onVerified(): void;
}) {
  const { t, formatDateTime } = useI18n();
  const path = tenantPath(slug, `/conversations/${conversationId}/verification`);
  const state = useLoad(() => api<VerificationState>('GET', path), [path]);
  const [factor, setFactor] = useState('');
  const [answer, setAnswer] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<'pass' | 'fail' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const v = state.data;
  const open = v ? v.factors.filter((f) => !v.passedFactors.includes(f)) : [];
  const chosen = open.includes(factor) ? factor : (open[0] ?? '');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!chosen || !answer.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ result: 'pass' | 'fail'; verified: boolean }>('POST', `${path}/attempts`, {
        factor: chosen,
        answer: answer.trim(),
      });
      setResult(r.result);
      setAnswer('');
      state.reload();
      if (r.verified) onVerified();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('verify.title')}>
      {state.error ? (
        <ErrorState error={state.error} onRetry={state.reload} />
      ) : !v ? (
        <Spinner />
      ) : v.verified ? (
        <div className="stack" data-testid="verification-state">
          <Badge tone="success">{t('verify.verified')}</Badge>
          <p className="small">
            {t('verify.unlocked', {
              fields: v.unlocked.map((f) => t(`verify.field.${f}`)).join(', ') || '—',
            })}
          </p>
          {v.expiresAt && (
            <p className="muted small">{t('verify.until', { time: formatDateTime(v.expiresAt) })}</p>
          )}
        </div>
      ) : v.locked ? (
        <Alert tone="danger">{t('verify.locked')}</Alert>
      ) : (
        <form className="stack" onSubmit={submit} noValidate data-testid="verification-state">
          <p className="small">
            {t('verify.progress', {
              passed: v.passedFactors.length,
              required: v.required,
              left: v.attemptsLeft,
            })}
          </p>
          {result && (
            <Alert tone={result === 'pass' ? 'success' : 'danger'}>
              {result === 'pass' ? t('verify.pass') : t('verify.fail')}
            </Alert>
          )}
          <Select
            label={t('verify.factor')}
            value={chosen}
            onChange={(e) => setFactor(e.target.value)}
            options={open.map((f) => ({ value: f, label: t(`verify.factor.${f}`) }))}
          />
          <Input
            label={t('verify.answer')}
            hint={t('verify.answerHint')}
            error={error}
            autoComplete="off"
            spellCheck={false}
            value={answer}
            maxLength={100}
            onChange={(e) => setAnswer(e.target.value)}
          />
          <Button type="submit" busy={busy} disabled={!answer.trim() || !chosen}>
            {t('verify.check')}
          </Button>
        </form>
      )}
    </Card>
  );
}
