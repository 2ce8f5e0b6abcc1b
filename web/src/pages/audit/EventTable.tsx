// The audit events of one search: actors by name (members of the tenant), actions and resources
// in words, and a detail dialog per row with the reason, the event's fields and its chain position.
import { Fragment, useState } from 'react';
import { useI18n } from '../../i18n';
import { Badge, Button, Dialog, EmptyState, Table } from '../../ui';
import { EventProof } from './Proof';

export interface AuditEvent {
  seq: number;
  time: string;
  actorType: string;
  actorId: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  outcome: 'success' | 'failure' | 'denied';
  reason: string | null;
  meta?: Record<string, unknown> | null;
  prevHash?: string;
  hash?: string;
}

/** The action families an investigator filters by (the part of the code before the first dot). */
export const AUDIT_CATEGORIES = [
  'auth',
  'audit',
  'conversation',
  'value',
  'customer',
  'user',
  'membership',
  'session',
  'verification',
  'payment',
  'privacy',
  'consent',
  'breach',
  'retention',
  'file',
  'call',
  'cockpit',
  'monitoring',
  'settings',
  'api_token',
  'audit_sink',
  'scim',
  'authz',
  'access',
] as const;

export const outcomeTone = (o: string) => (o === 'success' ? 'success' : o === 'denied' ? 'danger' : 'warning');

/** The actor as people read it: the member's name, else its kind and a short id. */
export function useActorLabel(names: Map<string, string>) {
  const { t } = useI18n();
  return (e: Pick<AuditEvent, 'actorType' | 'actorId'>) =>
    (e.actorId && names.get(e.actorId)) ??
    `${t(`audit.actorType.${e.actorType}`)}${e.actorId ? ` ${e.actorId.slice(0, 8)}` : ''}`;
}

export function EventTable({
  slug,
  events,
  names,
}: {
  slug: string;
  events: AuditEvent[];
  names: Map<string, string>;
}) {
  const { t, code, formatDateTime } = useI18n();
  const actor = useActorLabel(names);
  const [open, setOpen] = useState<AuditEvent | null>(null);
  return (
    <>
      <Table
        caption={t('audit.events')}
        rows={events}
        rowKey={(e) => String(e.seq)}
        empty={<EmptyState title={t('audit.empty')}>{t('audit.emptyBody')}</EmptyState>}
        columns={[
          { key: 'seq', header: '#', className: 'cell-num', render: (e) => e.seq },
          { key: 'time', header: t('audit.time'), render: (e) => formatDateTime(e.time) },
          {
            key: 'action',
            header: t('audit.action'),
            render: (e) => <span title={e.action}>{code('audit.act', e.action)}</span>,
          },
          { key: 'actor', header: t('audit.actor'), render: (e) => actor(e) },
          {
            key: 'resource',
            header: t('audit.resource'),
            render: (e) => (
              <span className="mono-small">
                {code('audit.resource', e.resourceType)}
                {e.resourceId ? ` ${e.resourceId.slice(0, 8)}` : ''}
              </span>
            ),
          },
          {
            key: 'outcome',
            header: t('audit.outcome'),
            render: (e) => <Badge tone={outcomeTone(e.outcome)}>{t(`audit.outcome.${e.outcome}`)}</Badge>,
          },
          {
            key: 'open',
            header: t('audit.details'),
            render: (e) => (
              <Button size="sm" variant="ghost" onClick={() => setOpen(e)}>
                {t('audit.open', { n: e.seq })}
              </Button>
            ),
          },
        ]}
      />
      <EventDetail slug={slug} event={open} actor={open ? actor(open) : ''} onClose={() => setOpen(null)} />
    </>
  );
}

function EventDetail({
  slug,
  event,
  actor,
  onClose,
}: {
  slug: string;
  event: AuditEvent | null;
  actor: string;
  onClose(): void;
}) {
  const { t, code, formatDateTime } = useI18n();
  const meta = Object.entries(event?.meta ?? {}).filter(([, v]) => v !== null && typeof v !== 'object');
  return (
    <Dialog
      open={event !== null}
      title={t('audit.eventTitle', { n: event?.seq ?? '' })}
      onClose={onClose}
      footer={<Button onClick={onClose}>{t('common.close')}</Button>}
    >
      {event && (
        <dl className="kv" data-testid="audit-detail">
          <dt>{t('audit.action')}</dt>
          <dd>{code('audit.act', event.action)}</dd>
          <dt>{t('audit.time')}</dt>
          <dd>{formatDateTime(event.time)}</dd>
          <dt>{t('audit.actor')}</dt>
          <dd>{actor}</dd>
          <dt>{t('audit.resource')}</dt>
          <dd>
            {code('audit.resource', event.resourceType)} <code>{event.resourceId ?? '—'}</code>
          </dd>
          <dt>{t('audit.outcome')}</dt>
          <dd>{t(`audit.outcome.${event.outcome}`)}</dd>
          <dt>{t('audit.reason')}</dt>
          <dd data-testid="audit-reason">{event.reason ?? '—'}</dd>
          {meta.map(([k, v]) => (
            <Fragment key={k}>
              <dt>{code('audit.meta', k)}</dt>
              <dd>
                {k === 'entityType'
                  ? code('pii.entity', String(v))
                  : typeof v === 'boolean'
                    ? t(v ? 'common.yes' : 'common.no')
                    : String(v)}
              </dd>
            </Fragment>
          ))}
          <dt>{t('audit.chainPosition')}</dt>
          <dd>{event.seq}</dd>
          <dt>{t('audit.hash')}</dt>
          <dd>
            <code className="hash">{event.hash ?? '—'}</code>
          </dd>
        </dl>
      )}
      {event && <EventProof slug={slug} event={event} />}
    </Dialog>
  );
}
