// Service API tokens of a tenant: create (the token is shown once, with a copy button) and revoke.
// The API has no list endpoint yet; tokens created in this view can be revoked here.
import { type FormEvent, useState } from 'react';
import { api, tenantPath } from '../api';
import { useI18n } from '../i18n';
import { Alert, Button, Card, EmptyState, errorText, Input, PageHeader, Table, useToast } from '../ui';

const SCOPES = ['calls:write', 'messages:write', 'customers:read'] as const;
interface Created {
  id: string;
  name: string;
  scopes: string[];
  revoked: boolean;
}

export function TokensPage({ slug }: { slug: string }) {
  const { t } = useI18n();
  const toast = useToast();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['messages:write']);
  const [days, setDays] = useState('90');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState<string | null>(null);
  const [created, setCreated] = useState<Created[]>([]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const r = await api<{ id: string; token: string }>('POST', tenantPath(slug, '/api-tokens'), {
        name: name.trim(),
        scopes,
        ...(days ? { expiresInDays: Number(days) } : {}),
      });
      setShown(r.token);
      setCreated([{ id: r.id, name: name.trim(), scopes, revoked: false }, ...created]);
      setName('');
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (id: string) => {
    try {
      await api('DELETE', tenantPath(slug, `/api-tokens/${id}`));
      setCreated(created.map((c) => (c.id === id ? { ...c, revoked: true } : c)));
      toast(t('tokens.revoked'));
    } catch (e) {
      toast(errorText(t, e), 'danger');
    }
  };
  const copy = async () => {
    if (!shown) return;
    try {
      await navigator.clipboard.writeText(shown);
      toast(t('common.copied'));
    } catch {
      toast(t('common.copyFailed'), 'danger');
    }
  };

  return (
    <>
      <PageHeader title={t('tokens.title')} subtitle={t('tokens.subtitle')} />
      {shown && (
        <Card title={t('tokens.newToken')}>
          <Alert tone="warning">{t('tokens.once')}</Alert>
          <div className="copy-row">
            <Input label={t('tokens.token')} readOnly value={shown} className="mono" />
            <Button variant="primary" onClick={() => void copy()}>
              {t('common.copy')}
            </Button>
          </div>
          <Button variant="ghost" onClick={() => setShown(null)}>
            {t('tokens.hide')}
          </Button>
        </Card>
      )}
      <div className="grid grid-2">
        <Card title={t('tokens.create')}>
          <form className="stack" onSubmit={create} noValidate>
            <Input
              label={t('tokens.name')}
              value={name}
              maxLength={100}
              required
              onChange={(e) => setName(e.target.value)}
            />
            <fieldset className="fieldset">
              <legend>{t('tokens.scopes')}</legend>
              {SCOPES.map((s) => (
                <label key={s} className="check">
                  <input
                    type="checkbox"
                    checked={scopes.includes(s)}
                    onChange={(e) =>
                      setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))
                    }
                  />
                  <code>{s}</code>
                </label>
              ))}
            </fieldset>
            <Input
              label={t('tokens.expiresInDays')}
              type="number"
              min={1}
              max={730}
              value={days}
              onChange={(e) => setDays(e.target.value)}
            />
            {error && (
              <p className="field-error" role="alert">
                {error}
              </p>
            )}
            <Button
              type="submit"
              variant="primary"
              busy={busy}
              disabled={!name.trim() || scopes.length === 0}
            >
              {t('tokens.createButton')}
            </Button>
          </form>
        </Card>
        <Card title={t('tokens.thisSession')}>
          <Table
            caption={t('tokens.thisSession')}
            rows={created}
            rowKey={(c) => c.id}
            empty={<EmptyState title={t('tokens.none')}>{t('tokens.noneBody')}</EmptyState>}
            columns={[
              { key: 'name', header: t('tokens.name'), render: (c) => c.name },
              { key: 'scopes', header: t('tokens.scopes'), render: (c) => <code>{c.scopes.join(' ')}</code> },
              {
                key: 'actions',
                header: t('common.actions'),
                className: 'cell-actions',
                render: (c) =>
                  c.revoked ? (
                    t('tokens.revokedLabel')
                  ) : (
                    <Button size="sm" variant="danger" onClick={() => void revoke(c.id)}>
                      {t('sessions.revoke')}
                    </Button>
                  ),
              },
            ]}
          />
        </Card>
      </div>
    </>
  );
}
