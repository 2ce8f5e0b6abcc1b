// Canned replies and macros: the agent picks one in the conversation's language (or any), the
// server fills its placeholders from what the agent may see and checks it with the outbound PII
// guard; the text lands in the reply box for the agent to edit and send.
import { useState } from 'react';
import { api, tenantPath } from '../../api';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { Button, errorText, Select, useToast } from '../../ui';

interface Macro {
  id: string;
  name: string;
  language: string;
}

export function MacroPicker({
  slug,
  conversationId,
  language,
  onInsert,
}: {
  slug: string;
  conversationId: string;
  language: string;
  onInsert(text: string, setStatus: string | null): void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  // Every language's macros, the agent's own first: a French customer may write to a German team.
  const macros = useLoad(() => api<{ items: Macro[] }>('GET', tenantPath(slug, '/macros')), [slug]);
  const [pick, setPick] = useState('');
  const [busy, setBusy] = useState(false);
  const all = macros.data?.items ?? [];
  const items = [...all.filter((m) => m.language === language), ...all.filter((m) => m.language !== language)];
  if (!items.length) return null;
  const chosen = items.some((m) => m.id === pick) ? pick : (items[0]?.id ?? '');
  const insert = async () => {
    setBusy(true);
    try {
      const r = await api<{ text: string; setStatus: string | null }>(
        'POST',
        tenantPath(slug, `/conversations/${conversationId}/macros/${chosen}/render`),
      );
      onInsert(r.text, r.setStatus);
    } catch (e) {
      toast(errorText(t, e), 'danger');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="row macro-picker" data-testid="macro-picker">
      <Select
        label={t('inbox.macro')}
        value={chosen}
        onChange={(e) => setPick(e.target.value)}
        options={items.map((m) => ({
          value: m.id,
          label: m.language === language ? m.name : `${m.name} (${m.language.toUpperCase()})`,
        }))}
      />
      <Button size="sm" busy={busy} onClick={() => void insert()}>
        {t('inbox.macroInsert')}
      </Button>
    </div>
  );
}
