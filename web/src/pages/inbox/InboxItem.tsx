// One conversation in the inbox list: pseudonymous customer reference, redacted preview (tokens
// only as their type), unread marker, waiting time, service-level countdown, channel, status
// and priority.
import { useI18n } from '../../i18n';
import { Badge } from '../../ui';
import { formatWait } from '../Supervisor';
import { type Summary, statusTone } from './types';

/** Stored text shows a token the reader may not reveal as [EMAIL]: spelled out in words here. */
export function usePreviewText() {
  const { t, code } = useI18n();
  return (s: string) => s.replace(/\[([A-Z][A-Z_]+)\]/g, (_m, type: string) => t('inbox.masked', { type: code('pii.entity', type) }));
}

/** How often the inbox re-renders so waiting times and SLA countdowns move without a refetch. */
export const INBOX_TICK_MS = 15_000;

/**
 * The service-level badge: the time left (or "breached") in words, never colour alone. The state
 * is recomputed from dueAt on each tick, so an item turns due soon and breached as time passes
 * without reloading the list (the last quarter of the target is due soon, as on the server).
 */
function SlaBadge({ sla, now }: { sla: NonNullable<Summary['sla']>; now: number }) {
  const { t } = useI18n();
  if (sla.state === 'none' || !sla.dueAt) return null;
  const left = (Date.parse(sla.dueAt) - now) / 1000;
  const breached = left < 0;
  const soon = !breached && left <= sla.targetSeconds / 4;
  return (
    <span className="conv-sla" data-testid="sla" data-sla={breached ? 'breached' : soon ? 'due_soon' : 'ok'}>
      <Badge tone={breached ? 'danger' : soon ? 'warning' : 'neutral'}>
        {breached ? t('inbox.slaBreached') : t('inbox.slaLeft', { time: formatWait(left) })}
      </Badge>
    </span>
  );
}

export function InboxItem({
  c,
  current,
  now,
  onOpen,
}: {
  c: Summary;
  current: boolean;
  now: number;
  onOpen(id: string): void;
}) {
  const { t, formatDateTime } = useI18n();
  const preview = usePreviewText();
  const unread = c.unread ?? 0;
  return (
    <button
      type="button"
      className={`conv-item${unread > 0 ? ' conv-unread' : ''}`}
      aria-current={current ? 'true' : undefined}
      onClick={() => onOpen(c.id)}
      data-conversation={c.id}
    >
      <span className="conv-head">
        <span className="conv-customer">{t('inbox.customerRef', { ref: c.customerRef ?? '—' })}</span>
        {unread > 0 && (
          <span className="conv-unread-count" data-testid="unread">
            {t('inbox.unread', { n: unread })}
          </span>
        )}
      </span>
      {c.preview && <span className="conv-preview">{preview(c.preview)}</span>}
      <span className="conv-top">
        <Badge>{t(`inbox.channel.${c.channel}`)}</Badge>
        <Badge tone={statusTone(c.status)}>{t(`inbox.status.${c.status}`)}</Badge>
        {c.priority !== 'normal' && (
          <Badge tone={c.priority === 'urgent' || c.priority === 'high' ? 'danger' : 'neutral'}>
            {t(`inbox.priority.${c.priority}`)}
          </Badge>
        )}
        {c.waitingSince && c.status === 'open' && (
          <span className="conv-waiting" data-testid="waiting">
            {t('inbox.waiting', { time: formatWait((now - Date.parse(c.waitingSince)) / 1000) })}
          </span>
        )}
        {c.sla && c.status === 'open' && <SlaBadge sla={c.sla} now={now} />}
      </span>
      <span className="conv-meta">{formatDateTime(c.lastMessageAt)}</span>
    </button>
  );
}
