// Agent inbox: conversation list with filters and live updates (the socket carries ids only; the
// content comes through the HTTP API), the conversation view and the keyboard shortcuts.
import { useCallback, useEffect, useState } from 'react';
import { api, query, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { Badge, Button, Dialog, EmptyState, ErrorState, Input, PageHeader, Select, Spinner } from '../ui';
import { Conversation } from './inbox/Conversation';
import { InboxItem, usePreviewText } from './inbox/InboxItem';
import { CHANNELS, isTyping, STATUSES, type Summary } from './inbox/types';

/** The shortcuts, documented in the help dialog (key, message key). */
export const SHORTCUTS: Array<[string, string]> = [
  ['j / k', 'inbox.key.nextPrev'],
  ['r', 'inbox.key.reply'],
  ['n', 'inbox.key.note'],
  ['a', 'inbox.key.assign'],
  ['e', 'inbox.key.resolve'],
  ['t', 'inbox.key.timeline'],
  ['?', 'inbox.key.help'],
];

/** The current time, updated every `ms` (waiting times tick without reloading the list). */
function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export function InboxPage({ slug, id }: { slug: string; id: string | null }) {
  const { t, formatDateTime } = useI18n();
  const [status, setStatus] = useState('open');
  const [assignee, setAssignee] = useState('');
  const [channel, setChannel] = useState('');
  const [help, setHelp] = useState(false);
  const [live, setLive] = useState<'connecting' | 'live' | 'offline'>('connecting');
  const list = useLoad(
    () =>
      api<{ items: Summary[]; nextCursor: string | null }>(
        'GET',
        tenantPath(slug, `/conversations${query({ status, assignee, channel, limit: 50 })}`),
      ),
    [slug, status, assignee, channel],
  );
  const items = list.data?.items ?? [];
  const [search, setSearch] = useState('');
  const preview = usePreviewText();
  // Search over what the list already shows (customer reference, redacted preview): no personal
  // value leaves the browser, none goes into a URL.
  const needle = search.trim().toLowerCase();
  const shown = needle
    ? items.filter((c) =>
        `${t('inbox.customerRef', { ref: c.customerRef ?? '' })} ${preview(c.preview ?? '')}`
          .toLowerCase()
          .includes(needle),
      )
    : items;
  const now = useNow(30_000);
  const unreadTotal = items.reduce((n, c) => n + (c.unread ?? 0), 0);
  useEffect(() => {
    const base = t('app.title');
    document.title = unreadTotal > 0 ? `(${unreadTotal}) ${base}` : base;
    return () => {
      document.title = base;
    };
  }, [unreadTotal, t]);
  const open = useCallback(
    (cid: string) => navigate(`/app/t/${encodeURIComponent(slug)}/inbox/${cid}`),
    [slug],
  );
  const [liveTick, setLiveTick] = useState(0);

  const reloadList = list.reload;
  useEffect(() => {
    let ws: WebSocket | null = null;
    let closed = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
      ws = new WebSocket(`${proto}//${location.host}${tenantPath(slug, '/live')}`);
      ws.onopen = () => setLive('live');
      ws.onmessage = (ev) => {
        let type = '';
        try {
          type = String((JSON.parse(String(ev.data)) as { type?: unknown }).type ?? '');
        } catch {
          return;
        }
        if (type === 'hello') return;
        reloadList();
        setLiveTick((x) => x + 1);
      };
      ws.onclose = () => {
        setLive('offline');
        if (!closed) retry = setTimeout(connect, 3000);
      };
    };
    connect();
    return () => {
      closed = true;
      clearTimeout(retry);
      ws?.close();
    };
  }, [slug, reloadList]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e)) return;
      if (e.key === '?') setHelp(true);
      if (e.key !== 'j' && e.key !== 'k') return;
      const i = items.findIndex((x) => x.id === id);
      const next = e.key === 'j' ? items[Math.min(items.length - 1, i + 1)] : items[Math.max(0, i - 1)];
      if (next) open(next.id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [items, id, open]);

  return (
    <>
      <PageHeader
        title={t('nav.inbox')}
        actions={
          <>
            <Badge tone={live === 'live' ? 'success' : live === 'offline' ? 'danger' : 'neutral'}>
              {t(`inbox.live.${live}`)}
            </Badge>
            <Button size="sm" variant="ghost" onClick={() => setHelp(true)} aria-keyshortcuts="?">
              {t('inbox.shortcuts')}
            </Button>
          </>
        }
      />
      <div className="inbox">
        <section className="inbox-list" aria-label={t('inbox.conversations')}>
          <div className="inbox-filters">
            <Select
              label={t('inbox.status')}
              value={status}
              onChange={(e) => setStatus(e.target.value)}
              options={[
                { value: '', label: t('common.any') },
                ...STATUSES.map((s) => ({ value: s, label: t(`inbox.status.${s}`) })),
              ]}
            />
            <Select
              label={t('inbox.assignee')}
              value={assignee}
              onChange={(e) => setAssignee(e.target.value)}
              options={[
                { value: '', label: t('common.any') },
                { value: 'me', label: t('inbox.assignee.me') },
                { value: 'none', label: t('inbox.assignee.none') },
              ]}
            />
            <Select
              label={t('inbox.channel')}
              value={channel}
              onChange={(e) => setChannel(e.target.value)}
              options={[
                { value: '', label: t('common.any') },
                ...CHANNELS.map((c) => ({ value: c, label: t(`inbox.channel.${c}`) })),
              ]}
            />
          </div>
          <Input
            label={t('inbox.search')}
            type="search"
            value={search}
            autoComplete="off"
            onChange={(e) => setSearch(e.target.value)}
          />
          {list.error ? (
            <ErrorState error={list.error} onRetry={list.reload} />
          ) : !list.data ? (
            <Spinner />
          ) : shown.length === 0 ? (
            <EmptyState title={t('inbox.empty')}>{t('inbox.emptyBody')}</EmptyState>
          ) : (
            <ul className="conv-list" data-testid="conversation-list">
              {shown.map((c) => (
                <li key={c.id}>
                  <InboxItem c={c} current={c.id === id} now={now} onOpen={open} />
                </li>
              ))}
            </ul>
          )}
          <p className="muted small">{t('inbox.shortcutsHint')}</p>
        </section>
        <section className="inbox-main" aria-label={t('inbox.conversation')}>
          {id ? (
            <Conversation key={id} slug={slug} id={id} liveTick={liveTick} onChanged={list.reload} />
          ) : (
            <EmptyState title={t('inbox.pick')}>{t('inbox.pickBody')}</EmptyState>
          )}
        </section>
        <Dialog
          open={help}
          title={t('inbox.shortcuts')}
          onClose={() => setHelp(false)}
          footer={<Button onClick={() => setHelp(false)}>{t('common.close')}</Button>}
        >
          <dl className="kv" data-testid="shortcut-help">
            {SHORTCUTS.map(([k, label]) => (
              <div key={k} className="kv-row">
                <dt>
                  <kbd>{k}</kbd>
                </dt>
                <dd>{t(label)}</dd>
              </div>
            ))}
          </dl>
        </Dialog>
      </div>
    </>
  );
}
