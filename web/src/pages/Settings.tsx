// Tenant settings for tenant admins: the caller-verification policy and the PII policy (what the
// ingest pipeline does with each kind of personal data before it is stored). Card numbers and
// CVVs are always redacted by the server, whatever is chosen here.
import { type FormEvent, useEffect, useState } from 'react';
import { api, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import {
  Alert,
  Button,
  Card,
  ErrorState,
  errorText,
  Input,
  PageHeader,
  Spinner,
  Table,
  useToast,
} from '../ui';

interface VerificationPolicy {
  factors: string[];
  required: number;
  maxAttempts: number;
  validityMinutes: number;
  unlocks: string[];
}
interface PiiPolicy {
  defaultOperator: string;
  minScore: number;
  entities: Record<string, { operator: string }>;
}

const FACTORS = ['date_of_birth', 'postcode', 'customer_number', 'one_time_code', 'signed_in_visitor'];
const UNLOCKS = ['dateOfBirth', 'address'];
const OPERATORS = ['keep', 'mask', 'tokenize', 'pseudonymize', 'redact'];
const ALWAYS_REDACTED = new Set(['PAYMENT_CARD', 'CARD_CVV']);

export function SettingsPage({ slug }: { slug: string }) {
  const { t, code } = useI18n();
  return (
    <>
      <PageHeader title={t('settings.title')} subtitle={t('settings.subtitle')} />
      <div className="stack">
        <VerificationSettings slug={slug} />
        <PiiSettings slug={slug} />
      </div>
    </>
  );
}

function VerificationSettings({ slug }: { slug: string }) {
  const { t, code } = useI18n();
  const toast = useToast();
  const path = tenantPath(slug, '/settings/verification-policy');
  const loaded = useLoad(() => api<{ policy: VerificationPolicy }>('GET', path), [path]);
  const [draft, setDraft] = useState<VerificationPolicy | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (loaded.data) setDraft(loaded.data.policy);
  }, [loaded.data]);

  const toggle = (key: 'factors' | 'unlocks', value: string) =>
    draft &&
    setDraft({
      ...draft,
      [key]: draft[key].includes(value) ? draft[key].filter((x) => x !== value) : [...draft[key], value],
    });
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    if (draft.factors.length === 0 || draft.required > draft.factors.length)
      return setError(t('settings.verify.requiredInvalid'));
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ policy: VerificationPolicy }>('PUT', path, { policy: draft });
      setDraft(r.policy);
      toast(t('settings.saved'));
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  const num = (
    k: 'required' | 'maxAttempts' | 'validityMinutes',
    label: string,
    min: number,
    max: number,
  ) => (
    <Input
      label={label}
      type="number"
      min={min}
      max={max}
      value={draft ? String(draft[k]) : ''}
      onChange={(e) =>
        draft && setDraft({ ...draft, [k]: Math.max(min, Math.min(max, Number(e.target.value) || min)) })
      }
    />
  );
  return (
    <Card title={t('settings.verify.title')}>
      {loaded.error ? (
        <ErrorState error={loaded.error} onRetry={loaded.reload} />
      ) : !draft ? (
        <Spinner />
      ) : (
        <form className="stack" onSubmit={save} noValidate>
          <p className="muted">{t('settings.verify.explain')}</p>
          {error && <Alert>{error}</Alert>}
          <fieldset className="checks">
            <legend>{t('settings.verify.factors')}</legend>
            {FACTORS.map((f) => (
              <label key={f} className="check">
                <input
                  type="checkbox"
                  checked={draft.factors.includes(f)}
                  onChange={() => toggle('factors', f)}
                />
                {t(`verify.factor.${f}`)}
              </label>
            ))}
          </fieldset>
          <div className="filters">
            {num('required', t('settings.verify.required'), 1, FACTORS.length)}
            {num('maxAttempts', t('settings.verify.maxAttempts'), 1, 10)}
            {num('validityMinutes', t('settings.verify.validity'), 1, 480)}
          </div>
          <fieldset className="checks">
            <legend>{t('settings.verify.unlocks')}</legend>
            {UNLOCKS.map((f) => (
              <label key={f} className="check">
                <input
                  type="checkbox"
                  checked={draft.unlocks.includes(f)}
                  onChange={() => toggle('unlocks', f)}
                />
                {t(`verify.field.${f}`)}
              </label>
            ))}
          </fieldset>
          <div className="row">
            <Button type="submit" variant="primary" busy={busy}>
              {t('settings.save')}
            </Button>
          </div>
        </form>
      )}
    </Card>
  );
}

function PiiSettings({ slug }: { slug: string }) {
  const { t, code } = useI18n();
  const toast = useToast();
  const path = tenantPath(slug, '/settings/pii-policy');
  const loaded = useLoad(() => api<{ policy: PiiPolicy }>('GET', path), [path]);
  const [draft, setDraft] = useState<PiiPolicy | null>(null);
  const [busy, setBusy] = useState(false);
  const [warnings, setWarnings] = useState<string[]>([]);
  useEffect(() => {
    if (loaded.data) setDraft(loaded.data.policy);
  }, [loaded.data]);

  const save = async () => {
    if (!draft) return;
    setBusy(true);
    try {
      const r = await api<{ policy: PiiPolicy; warnings: string[] }>('PUT', path, { policy: draft });
      setDraft(r.policy);
      setWarnings(r.warnings);
      toast(t('settings.saved'));
    } catch (err) {
      toast(errorText(t, err), 'danger');
    } finally {
      setBusy(false);
    }
  };
  const entities = draft ? Object.keys(draft.entities).sort() : [];
  return (
    <Card
      title={t('settings.pii.title')}
      actions={
        <Button variant="primary" size="sm" busy={busy} disabled={!draft} onClick={() => void save()}>
          {t('settings.save')}
        </Button>
      }
    >
      {loaded.error ? (
        <ErrorState error={loaded.error} onRetry={loaded.reload} />
      ) : !draft ? (
        <Spinner />
      ) : (
        <div className="stack">
          <p className="muted">{t('settings.pii.explain')}</p>
          {warnings.length > 0 && (
            <Alert tone="warning">{t('settings.pii.warnings', { n: warnings.length })}</Alert>
          )}
          <Table
            caption={t('settings.pii.title')}
            rows={entities}
            rowKey={(e) => e}
            columns={[
              { key: 'entity', header: t('settings.pii.entity'), render: (e) => <span title={e}>{code('pii.entity', e)}</span> },
              {
                key: 'operator',
                header: t('settings.pii.operator'),
                render: (e) =>
                  ALWAYS_REDACTED.has(e) ? (
                    <span className="muted">{t('settings.pii.alwaysRedacted')}</span>
                  ) : (
                    <select
                      className="input select"
                      aria-label={t('settings.pii.operatorFor', { entity: e })}
                      value={draft.entities[e]!.operator}
                      onChange={(ev) =>
                        setDraft({
                          ...draft,
                          entities: { ...draft.entities, [e]: { operator: ev.target.value } },
                        })
                      }
                    >
                      {OPERATORS.map((o) => (
                        <option key={o} value={o}>
                          {t(`settings.pii.op.${o}`)}
                        </option>
                      ))}
                    </select>
                  ),
              },
            ]}
          />
        </div>
      )}
    </Card>
  );
}
