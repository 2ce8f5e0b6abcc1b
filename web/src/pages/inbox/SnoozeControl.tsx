// Snooze: out of the working views until a time (the customer's next message wakes it earlier).
import { useState } from 'react';
import { api, tenantPath } from '../../api';
import { useI18n } from '../../i18n';
import { Button, errorText, Select, useToast } from '../../ui';

const inHours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();
function tomorrowAt(hour: number): string {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  d.setHours(hour, 0, 0, 0);
  return d.toISOString();
}

export function SnoozeControl({
  slug,
  conversationId,
  snoozedUntil,
  onDone,
}: {
  slug: string;
  conversationId: string;
  snoozedUntil: string | null | undefined;
  onDone(): void;
}) {
  const { t, formatDateTime } = useI18n();
  const toast = useToast();
  const [choice, setChoice] = useState('1h');
  const [busy, setBusy] = useState(false);
  const until = (c: string) => (c === '1h' ? inHours(1) : c === '4h' ? inHours(4) : tomorrowAt(9));
  const send = async (value: string | null) => {
    setBusy(true);
    try {
      await api('POST', tenantPath(slug, `/conversations/${conversationId}/snooze`), { until: value });
      toast(value ? t('inbox.snoozed', { time: formatDateTime(value) }) : t('inbox.unsnoozed'));
      onDone();
    } catch (e) {
      toast(errorText(t, e), 'danger');
    } finally {
      setBusy(false);
    }
  };
  if (snoozedUntil)
    return (
      <Button size="sm" variant="ghost" busy={busy} onClick={() => void send(null)}>
        {t('inbox.unsnooze')}
      </Button>
    );
  return (
    <div className="row snooze-control">
      <Select
        label={t('inbox.snoozeFor')}
        value={choice}
        onChange={(e) => setChoice(e.target.value)}
        options={['1h', '4h', 'tomorrow'].map((c) => ({ value: c, label: t(`inbox.snooze.${c}`) }))}
      />
      <Button size="sm" variant="ghost" busy={busy} onClick={() => void send(until(choice))}>
        {t('inbox.snooze')}
      </Button>
    </div>
  );
}
