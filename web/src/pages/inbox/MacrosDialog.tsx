// Canned replies for supervisors (the API also serves tenant admins): list, create, edit, delete.
// Placeholders the server fills are listed; an unknown one is refused by the server (400).
import { type FormEvent, useState } from 'react';
import { api, tenantPath } from '../../api';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { Alert, Button, Dialog, errorText, Input, Select, Spinner, TextArea } from '../../ui';

interface Macro {
  id: string;
  name: string;
  language: string;
  body: string;
}

const PLACEHOLDERS = [
  'customer.firstName',
  'customer.lastName',
  'customer.name',
  'customer.ref',
  'agent.firstName',
  'agent.name',
];
const LANGUAGES = ['de', 'en', 'fr'];

export function MacrosDialog({ slug, open, onClose }: { slug: string; open: boolean; onClose(): void }) {
  const { t } = useI18n();
  const list = useLoad(
    () => (open ? api<{ items: Macro[] }>('GET', tenantPath(slug, '/macros')) : Promise.resolve(null)),
    [slug, open],
  );
  const [editing, setEditing] = useState<Macro | null>(null);
  const [form, setForm] = useState({ name: '', language: 'de', body: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const edit = (m: Macro | null) => {
    setEditing(m);
    setForm(
      m ? { name: m.name, language: m.language, body: m.body } : { name: '', language: 'de', body: '' },
    );
    setError(null);
  };
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await fn();
      edit(null);
      list.reload();
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(() =>
      editing
        ? api('PATCH', tenantPath(slug, `/macros/${editing.id}`), form)
        : api('POST', tenantPath(slug, '/macros'), form),
    );
  };
  return (
    <Dialog open={open} title={t('inbox.macros')} onClose={onClose}>
      {!list.data ? (
        <Spinner />
      ) : (
        <div className="stack">
          <ul className="stack-tight" data-testid="macro-list">
            {list.data.items.map((m) => (
              <li key={m.id} className="row">
                <span>
                  {m.name} ({m.language})
                </span>
                <Button size="sm" variant="ghost" onClick={() => edit(m)}>
                  {t('inbox.macroEdit')}
                </Button>
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() => void run(() => api('DELETE', tenantPath(slug, `/macros/${m.id}`)))}
                >
                  {t('inbox.macroDelete')}
                </Button>
              </li>
            ))}
          </ul>
          <form className="stack" onSubmit={save} noValidate>
            <Input
              label={t('inbox.macroName')}
              value={form.name}
              maxLength={120}
              onChange={(e) => setForm({ ...form, name: e.target.value })}
            />
            <Select
              label={t('inbox.macroLanguage')}
              value={form.language}
              onChange={(e) => setForm({ ...form, language: e.target.value })}
              options={LANGUAGES.map((l) => ({ value: l, label: t(`language.${l}`) }))}
            />
            <TextArea
              label={t('inbox.macroBody')}
              hint={t('inbox.macroPlaceholders', { list: PLACEHOLDERS.map((p) => `{{${p}}}`).join(' ') })}
              value={form.body}
              maxLength={5000}
              onChange={(e) => setForm({ ...form, body: e.target.value })}
            />
            {error && <Alert>{error}</Alert>}
            <div className="dialog-footer">
              {editing && (
                <Button variant="ghost" onClick={() => edit(null)}>
                  {t('common.cancel')}
                </Button>
              )}
              <Button
                type="submit"
                variant="primary"
                busy={busy}
                disabled={!form.name.trim() || !form.body.trim()}
              >
                {editing ? t('inbox.macroSave') : t('inbox.macroCreate')}
              </Button>
            </div>
          </form>
        </div>
      )}
    </Dialog>
  );
}
