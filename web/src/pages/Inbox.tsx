// Agent inbox: views (all, mine, unassigned, snoozed, per queue), server-side search, live updates
// (ids only; content through the HTTP API), notifications for new messages and assignments, the
// conversation view and the keyboard shortcuts. On a phone the list and the conversation are two
// screens: opening one hides the list, "back" returns to it.
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { api, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { useSession } from '../session';
import { Badge, Button, Dialog, EmptyState, ErrorState, Input, PageHeader, Select, Spinner } from '../ui';
import { Conversation } from './inbox/Conversation';
import { INBOX_TICK_MS, InboxItem } from './inbox/InboxItem';
import { MacrosDialog } from './inbox/MacrosDialog';
import { useNotifier } from './inbox/notify';
import { selfAssigned } from './inbox/self-actions';
import { CHANNELS, isTyping, STATUSES, type Summary } from './inbox/types';
import { useInboxList, VIEWS, type View } from './inbox/useInboxList';
import { type LiveEvent, useLive } from './inbox/useLive';
import './inbox/inbox.css';

/** The shortcuts, documented in the help dialog (key, message key). */
export const SHORTCUTS: Array<[string, string]> = [
  ['j / k', 'inbox.key.nextPrev'],
  ['r', 'inbox.key.reply'],
  ['n', 'inbox.key.note'],
  ['a', 'inbox.key.assign'],
  ['e', 'inbox.key.resolve'],
  ['t', 'inbox.key.timeline'],
  ['/', 'inbox.key.search'],
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
  const { t } = useI18n();
  const s = useSession();
  const [view, setView] = useState<View>('all');
  const [queue, setQueue] = useState('');
  const [status, setStatus] = useState('open');
  const [channel, setChannel] = useState('');
  const [draft, setDraft] = useState('');
  const [q, setQ] = useState('');
  const [help, setHelp] = useState(false);
  const [macrosOpen, setMacrosOpen] = useState(false);
  const list = useInboxList(slug, { view, queue, status, channel, q });
  const items = list.items;
  const queues = useLoad(
    () => api<{ queues: Array<{ id: string; name: string }> }>('GET', tenantPath(slug, '/transfer-targets')),
    [slug],
  );
  const now = useNow(INBOX_TICK_MS);
  const unreadTotal = items.reduce((n, c) => n + (c.unread ?? 0), 0);
  const notifier = useNotifier(unreadTotal);
  const open = useCallback(
    (cid: string) => navigate(`/app/t/${encodeURIComponent(slug)}/inbox/${cid}`),
    [slug],
  );

  // New customer messages: an unread count that grew since the last load (not on the first load).
  const lastUnread = useRef<Map<string, number> | null>(null);
  useEffect(() => {
    if (!list.data) return;
    const prev = lastUnread.current;
    const next = new Map(items.map((c) => [c.id, c.unread ?? 0]));
    if (prev)
      for (const c of items)
        if ((c.unread ?? 0) > (prev.get(c.id) ?? 0) && (c.id !== id || document.hidden))
          notifier.notify('message', c.id, open);
    lastUnread.current = next;
  }, [list.data, items, id, open, notifier.notify]);

  const [liveTick, setLiveTick] = useState(0);
  const [typingAt, setTypingAt] = useState<Record<string, number>>({});
  const reloadList = list.reload;
  const me = s.user?.id;
  const onLive = useCallback(
    (e: LiveEvent) => {
      if (e.type === 'typing') {
        if (e.conversationId && e.from === 'visitor')
          setTypingAt((x) => ({ ...x, [e.conversationId!]: Date.now() }));
        return;
      }
      if (
        e.type === 'conversation.assigned' &&
        e.assigneeId === me &&
        e.conversationId &&
        !selfAssigned(e.conversationId)
      )
        notifier.notify('assigned', e.conversationId, open);
      const cid = e.conversationId;
      if (e.type === 'message.created' && cid)
        setTypingAt((x) => Object.fromEntries(Object.entries(x).filter(([k]) => k !== cid)));
      reloadList();
      setLiveTick((x) => x + 1);
    },
    [me, notifier.notify, open, reloadList],
  );
  const live = useLive(slug, onLive);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e)) return;
      if (e.key === '?') setHelp(true);
      if (e.key === '/') {
        e.preventDefault();
        document.getElementById('inbox-search')?.focus();
      }
      if (e.key !== 'j' && e.key !== 'k') return;
      const i = items.findIndex((x) => x.id === id);
      const next = e.key === 'j' ? items[Math.min(items.length - 1, i + 1)] : items[Math.max(0, i - 1)];
      if (next) open(next.id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [items, id, open]);

  // On a phone, an opened conversation starts at the top of the screen, not below the list.
  useEffect(() => {
    if (id && window.matchMedia('(max-width: 760px)').matches)
      document.querySelector('.inbox-main')?.scrollIntoView({ block: 'start' });
  }, [id]);

  // The search runs on the server once typing pauses (or at once on Enter).
  useEffect(() => {
    // A single letter is no search yet (the server needs a word of two).
    if (draft.trim() && !/[\p{L}\p{N}]{2}/u.test(draft)) return;
    const timer = setTimeout(() => setQ(draft), 350);
    return () => clearTimeout(timer);
  }, [draft]);

  const submitSearch = (e: FormEvent) => {
    e.preventDefault();
    setQ(draft);
  };
  const visitorTyping = id ? (typingAt[id] ?? 0) > now - 6000 : false;
  // Typing hints expire after six seconds without a new one.
  useEffect(() => {
    if (!visitorTyping) return;
    const timer = setTimeout(() => setTypingAt((x) => ({ ...x })), 6100);
    return () => clearTimeout(timer);
  }, [visitorTyping]);

  return (
    <>
      <PageHeader
        title={t('nav.inbox')}
        actions={
          <>
            {notifier.control}
            {s.rolesIn(slug).includes('supervisor') && (
              <Button size="sm" variant="ghost" onClick={() => setMacrosOpen(true)}>
                {t('inbox.macros')}
              </Button>
            )}
            <Badge tone={live.state === 'live' ? 'success' : live.state === 'offline' ? 'danger' : 'neutral'}>
              {t(`inbox.live.${live.state}`)}
            </Badge>
            <Button size="sm" variant="ghost" onClick={() => setHelp(true)} aria-keyshortcuts="?">
              {t('inbox.shortcuts')}
            </Button>
          </>
        }
      />
      {notifier.live}
      <div className={`inbox${id ? ' inbox-open' : ''}`}>
        <section className="inbox-list" aria-label={t('inbox.conversations')}>
          <fieldset className="tabs inbox-views">
            <legend className="sr-only">{t('inbox.views')}</legend>
            {VIEWS.map((v) => (
              <button
                key={v}
                type="button"
                className={`tab ${view === v ? 'tab-active' : ''}`}
                aria-pressed={view === v}
                onClick={() => setView(v)}
              >
                {t(`inbox.view.${v}`)}
              </button>
            ))}
          </fieldset>
          <form className="inbox-search" role="search" onSubmit={submitSearch}>
            <Input
              id="inbox-search"
              label={t('inbox.search')}
              hint={t('inbox.searchHint')}
              type="search"
              value={draft}
              autoComplete="off"
              maxLength={200}
              aria-keyshortcuts="/"
              onChange={(e) => setDraft(e.target.value)}
            />
            <Button type="submit" size="sm">
              {t('inbox.searchSubmit')}
            </Button>
          </form>
          <div className="inbox-filters">
            <Select
              label={t('inbox.queue')}
              value={queue}
              onChange={(e) => setQueue(e.target.value)}
              options={[
                { value: '', label: t('common.any') },
                ...(queues.data?.queues ?? []).map((x) => ({ value: x.id, label: x.name })),
              ]}
            />
            <Select
              label={t('inbox.status')}
              value={status}
              onChange={(e) => setStatus(e.target.value)}
              options={[
                { value: '', label: t('common.any') },
                ...STATUSES.map((x) => ({ value: x, label: t(`inbox.status.${x}`) })),
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
          {list.error ? (
            <ErrorState error={list.error} onRetry={list.reload} />
          ) : !list.data ? (
            <Spinner />
          ) : items.length === 0 ? (
            <EmptyState title={q ? t('inbox.noResults') : t('inbox.empty')}>
              {q ? t('inbox.noResultsBody') : t('inbox.emptyBody')}
            </EmptyState>
          ) : (
            <ListItems items={items} id={id} now={now} onOpen={open} />
          )}
          {list.hasMore && (
            <Button size="sm" variant="ghost" busy={list.loadingMore} onClick={() => void list.loadMore()}>
              {t('inbox.loadMore')}
            </Button>
          )}
          <p className="muted small">{t('inbox.shortcutsHint')}</p>
        </section>
        <section className="inbox-main" aria-label={t('inbox.conversation')}>
          {id ? (
            <>
              <Button
                size="sm"
                variant="ghost"
                className="inbox-back"
                onClick={() => navigate(`/app/t/${encodeURIComponent(slug)}/inbox`)}
              >
                {t('inbox.back')}
              </Button>
              <Conversation
                key={id}
                slug={slug}
                id={id}
                liveTick={liveTick}
                visitorTyping={visitorTyping}
                onTyping={() => live.typing(id)}
                onChanged={list.reload}
              />
            </>
          ) : (
            <EmptyState title={t('inbox.pick')}>{t('inbox.pickBody')}</EmptyState>
          )}
        </section>
        <MacrosDialog slug={slug} open={macrosOpen} onClose={() => setMacrosOpen(false)} />
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

function ListItems({
  items,
  id,
  now,
  onOpen,
}: {
  items: Summary[];
  id: string | null;
  now: number;
  onOpen(id: string): void;
}) {
  return (
    <ul className="conv-list" data-testid="conversation-list">
      {items.map((c) => (
        <li key={c.id}>
          <InboxItem c={c} current={c.id === id} now={now} onOpen={onOpen} />
        </li>
      ))}
    </ul>
  );
}
