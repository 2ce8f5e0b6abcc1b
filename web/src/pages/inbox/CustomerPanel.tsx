// The customer next to a conversation: fields as the agent's role may see them (date of birth and
// address masked for front-line roles), and caller verification: the agent types what the caller
// says, sees only pass/fail, and the masked fields unlock for this conversation once verified.
import { type FormEvent, type ReactNode, useState } from 'react';
import { api, query, tenantPath } from '../../api';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { Alert, Badge, Button, Card, ErrorState, errorText, Input, Select, Spinner } from '../../ui';
import type { RevealTarget } from './RevealDialog';
import type { Customer, VerificationState } from './types';

interface Panel {
  ref: string;
  fields: Array<{ field: string; count: number; values: string[]; masked: boolean }>;
  given: Array<{ type: string; token: string }>;
}

export function CustomerPanel({
  slug,
  customerId,
  conversationId,
  onReveal,
  revealed,
}: {
  slug: string;
  customerId: string;
  conversationId: string;
  onReveal(target: RevealTarget): void;
  revealed: Record<string, string>;
}) {
  const { t, code } = useI18n();
  const c = useLoad(
    () => api<Customer>('GET', tenantPath(slug, `/customers/${customerId}${query({ conversationId })}`)),
    [slug, customerId, conversationId],
  );
  // Name, e-mail, phone and customer number as the role and the tenant's policy let the agent see.
  const panel = useLoad(
    () => api<Panel>('GET', tenantPath(slug, `/conversations/${conversationId}/customer-panel`)),
    [slug, conversationId],
  );
  const panelRow = (f: Panel['fields'][number]) => {
    const shown = revealed[`field:${f.field}`];
    return (
      <div className="kv-row" data-field={f.field} key={f.field}>
        <dt>{t(`inbox.panelField.${f.field}`)}</dt>
        <dd>
          {shown !== undefined ? (
            <mark className="revealed">{shown}</mark>
          ) : f.masked ? (
            <button
              type="button"
              className="token"
              onClick={() => onReveal({ type: f.field, field: f.field, conversationId })}
            >
              {t('inbox.maskedCount', { n: f.count })}
            </button>
          ) : (
            f.values.join(', ') || '—'
          )}
        </dd>
      </div>
    );
  };
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
            {panel.data && (
              <div className="kv-row" data-field="ref">
                <dt>{t('inbox.panelRef')}</dt>
                <dd>{panel.data.ref}</dd>
              </div>
            )}
            {panel.data?.fields.map(panelRow)}
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
        {!!panel.data?.given.length && (
          <div className="stack-tight" data-testid="given-identifiers">
            <p className="small">{t('inbox.givenHere')}</p>
            {panel.data.given.map((g) =>
              revealed[g.token] !== undefined ? (
                <mark key={g.token} className="revealed">
                  {revealed[g.token]}
                </mark>
              ) : (
                <button
                  key={g.token}
                  type="button"
                  className="token"
                  onClick={() => onReveal({ type: g.type, token: g.token, conversationId })}
                >
                  {t('inbox.givenReveal', { type: code('pii.entity', g.type) })}
                </button>
              ),
            )}
          </div>
        )}
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
  const open = v ? v.factors.filter((f) => !v.passedFactors.includes(f) && f !== 'signed_in_visitor') : [];
  const canCheckSignIn =
    !!v && v.factors.includes('signed_in_visitor') && !v.passedFactors.includes('signed_in_visitor');
  const [sent, setSent] = useState<{ sentTo: string; expiresAt: string } | null>(null);
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

  // A one-time code goes to the customer's stored e-mail or phone; the caller reads it back.
  const sendCode = async (channel: 'email' | 'sms') => {
    setBusy(true);
    setError(null);
    try {
      setSent(await api<{ sentTo: string; expiresAt: string }>('POST', `${path}/codes`, { channel }));
      setFactor('one_time_code');
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  const checkSignIn = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ result: 'pass' | 'fail'; verified: boolean }>('POST', `${path}/attempts`, {
        factor: 'signed_in_visitor',
        answer: 'signed-in',
      });
      setResult(r.result);
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
          {chosen === 'one_time_code' && (
            <div className="row row-wrap">
              <Button size="sm" variant="ghost" disabled={busy} onClick={() => void sendCode('email')}>
                {t('verify.sendEmail')}
              </Button>
              <Button size="sm" variant="ghost" disabled={busy} onClick={() => void sendCode('sms')}>
                {t('verify.sendSms')}
              </Button>
            </div>
          )}
          {sent && (
            <p className="muted small">
              {t('verify.codeSent', { to: sent.sentTo, time: formatDateTime(sent.expiresAt) })}
            </p>
          )}
          {canCheckSignIn && (
            <Button size="sm" variant="ghost" disabled={busy} onClick={() => void checkSignIn()}>
              {t('verify.checkSignIn')}
            </Button>
          )}
        </form>
      )}
    </Card>
  );
}
