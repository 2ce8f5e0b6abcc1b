// Service-level targets per queue and channel: tenant admins set and remove them (audited by the
// server); supervisors read them. A target is the most a waiting conversation may wait.
import { type FormEvent, useState } from 'react';
import { api, tenantPath } from '../../api';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { Button, Card, EmptyState, ErrorState, errorText, Input, Select, Spinner, Table, useToast } from '../../ui';

export const SLA_CHANNELS = ['any', 'chat', 'email', 'voice'] as const;

interface Target {
  queueId: string;
  queueName: string;
  channel: (typeof SLA_CHANNELS)[number];
  targetSeconds: number;
  updatedAt: string;
}

export function TargetsCard(props: {
  slug: string;
  canEdit: boolean;
  queues: Array<{ id: string; name: string }>;
  onChanged(): void;
}) {
  const { slug, canEdit, queues } = props;
  const { t, formatNumber } = useI18n();
  const toast = useToast();
  const list = useLoad(
    () => api<{ defaultSeconds: number; targets: Target[] }>('GET', tenantPath(slug, '/service-levels')),
    [slug],
  );
  const [queueId, setQueueId] = useState('');
  const [channel, setChannel] = useState<string>('any');
  const [seconds, setSeconds] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const call = async (method: 'PUT' | 'DELETE', q: string, ch: string, body?: unknown) => {
    setBusy(true);
    setError(null);
    try {
      await api(method, tenantPath(slug, `/service-levels/${q}/${ch}`), body);
      toast(method === 'PUT' ? t('sla.saved') : t('sla.removed'));
      list.reload();
      props.onChanged();
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    const n = Number(seconds);
    if (!queueId) return setError(t('sla.chooseQueue'));
    if (!Number.isInteger(n) || n < 1 || n > 604_800) return setError(t('sla.secondsInvalid'));
    void call('PUT', queueId, channel, { targetSeconds: n });
  };

  if (list.error && !list.data) return <ErrorState error={list.error} onRetry={list.reload} />;
  if (!list.data) return <Spinner />;
  return (
    <Card title={t('sla.title')}>
      <p className="muted">{t('sla.explain', { seconds: list.data.defaultSeconds })}</p>
      <Table
        caption={t('sla.title')}
        rows={list.data.targets}
        rowKey={(x) => `${x.queueId}:${x.channel}`}
        empty={<EmptyState title={t('sla.none')} />}
        columns={[
          { key: 'queue', header: t('supervisor.queue'), render: (x) => x.queueName },
          { key: 'channel', header: t('sla.channel'), render: (x) => t(`sla.channel.${x.channel}`) },
          {
            key: 'target',
            header: t('sla.target'),
            className: 'cell-num',
            render: (x) => <span data-testid={`target-${x.queueName}-${x.channel}`}>{formatNumber(x.targetSeconds)} s</span>,
          },
          ...(canEdit
            ? [
                {
                  key: 'act',
                  header: t('common.actions'),
                  render: (x: Target) => (
                    <Button
                      size="sm"
                      busy={busy}
                      aria-label={t('sla.removeFor', { queue: x.queueName, channel: t(`sla.channel.${x.channel}`) })}
                      onClick={() => void call('DELETE', x.queueId, x.channel)}
                    >
                      {t('sla.remove')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      {canEdit && (
        <form className="row wrap" onSubmit={save} aria-label={t('sla.formLabel')}>
          <Select
            label={t('supervisor.queue')}
            value={queueId}
            onChange={(e) => setQueueId(e.target.value)}
            options={[{ value: '', label: t('sla.chooseQueue') }, ...queues.map((q) => ({ value: q.id, label: q.name }))]}
          />
          <Select
            label={t('sla.channel')}
            value={channel}
            onChange={(e) => setChannel(e.target.value)}
            options={SLA_CHANNELS.map((c) => ({ value: c, label: t(`sla.channel.${c}`) }))}
          />
          <Input
            label={t('sla.targetSeconds')}
            type="number"
            min={1}
            max={604800}
            value={seconds}
            onChange={(e) => setSeconds(e.target.value)}
          />
          <Button type="submit" variant="primary" busy={busy}>
            {t('sla.save')}
          </Button>
        </form>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </Card>
  );
}
