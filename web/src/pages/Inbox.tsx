// Agent inbox: conversation list with filters, one timeline over all channels, reply and internal
// notes, assignment and status, keyboard shortcuts, the customer panel with masked fields, and
// reveal-with-a-reason for tokenized values. Customer text is rendered as React text nodes only.
import { type FormEvent, type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { api, query, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { useSession } from '../session';
import { Badge, Button, Card, Dialog, EmptyState, ErrorState, errorText, PageHeader, Select, Spinner, TextArea, type Tone, useToast } from '../ui';

interface Summary {
  id: string;
  channel: string;
  status: string;
  priority: string;
  tags: string[];
  queueId: string | null;
  assigneeId: string | null;
  customerId: string;
  createdAt: string;
  lastMessageAt: string;
}
interface Message {
  id: string;
  kind: string;
  channel: string;
  direction: string;
  authorType: string;
  text: string | null;
  findings: Array<{ type: string; operator: string }>;
  createdAt: string;
  speaker?: string;
}
interface Detail extends Summary {
  subject: string | null;
  erased: boolean;
  messages: Message[];
}
interface Customer {
  id: string;
  name?: string | null;
  emails?: string[];
  phones?: string[];
  address?: { street?: string; postalCode?: string; city?: string; country?: string } | null;
  dateOfBirth?: string | null;
  customerNumber?: string | null;
  language?: string | null;
  masked?: string[];
}

const TOKEN_RE = /\[([A-Z_]+):(tok_[a-z0-9]{20})\]/g;
const statusTone = (s: string): Tone => (s === 'open' ? 'info' : s === 'pending' ? 'warning' : 'success');

export function InboxPage({ slug, id }: { slug: string; id: string | null }) {
  const { t, formatDateTime } = useI18n();
  const [status, setStatus] = useState('open');
  const [assignee, setAssignee] = useState('');
  const [channel, setChannel] = useState('');
  const [help, setHelp] = useState(false);
  const list = useLoad(
    () =>
      api<{ items: Summary[]; nextCursor: string | null }>(
        'GET',
        tenantPath(slug, `/conversations${query({ status, assignee, channel, limit: 50 })}`),
      ),
    [slug, status, assignee, channel],
  );
  const items = list.data?.items ?? [];
  const open = useCallback((cid: string) => navigate(`/app/t/${encodeURIComponent(slug)}/inbox/${cid}`), [slug]);
  const [liveTick, setLiveTick] = useState(0);

  // Live updates: the socket carries ids only; we reload through the HTTP API.
  const reloadList = list.reload;
  useEffect(() => {
    let ws: WebSocket | null = null;
    let closed = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
      ws = new WebSocket(`${proto}//${location.host}${tenantPath(slug, '/live')}`);
      ws.onmessage = () => {
        reloadList();
        setLiveTick((x) => x + 1);
      };
      ws.onclose = () => {
        if (!closed) retry = setTimeout(connect, 5000);
      };
    };
    connect();
    return () => {
      closed = true;
      clearTimeout(retry);
      ws?.close();
    };
  }, [slug, reloadList]);

  // j/k move through the list, ? shows the shortcuts (r and e live in the conversation view).
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
    <PageHeader title={t('nav.inbox')} />
    <div className="inbox">
      <section className="inbox-list" aria-label={t('inbox.conversations')}>
        <div className="inbox-filters">
          <Select
            label={t('inbox.status')}
            value={status}
            onChange={(e) => setStatus(e.target.value)}
            options={[{ value: '', label: t('common.any') }, ...['open', 'pending', 'resolved', 'closed'].map((s) => ({ value: s, label: t(`inbox.status.${s}`) }))]}
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
            options={[{ value: '', label: t('common.any') }, ...['chat', 'email', 'voice'].map((c) => ({ value: c, label: t(`inbox.channel.${c}`) }))]}
          />
        </div>
        {list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} />
        ) : !list.data ? (
          <Spinner />
        ) : items.length === 0 ? (
          <EmptyState title={t('inbox.empty')}>{t('inbox.emptyBody')}</EmptyState>
        ) : (
          <ul className="conv-list">
            {items.map((c) => (
              <li key={c.id}>
                <button type="button" className="conv-item" aria-current={c.id === id ? 'true' : undefined} onClick={() => open(c.id)}>
                  <span className="conv-top">
                    <Badge>{t(`inbox.channel.${c.channel}`)}</Badge>
                    <Badge tone={statusTone(c.status)}>{t(`inbox.status.${c.status}`)}</Badge>
                    {c.priority !== 'normal' && <Badge tone={c.priority === 'urgent' || c.priority === 'high' ? 'danger' : 'neutral'}>{t(`inbox.priority.${c.priority}`)}</Badge>}
                  </span>
                  <span className="conv-meta">{formatDateTime(c.lastMessageAt)}</span>
                </button>
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
      <Dialog open={help} title={t('inbox.shortcuts')} onClose={() => setHelp(false)} footer={<Button onClick={() => setHelp(false)}>{t('common.close')}</Button>}>
        <dl className="kv">
          <dt><kbd>j</kbd> / <kbd>k</kbd></dt>
          <dd>{t('inbox.key.nextPrev')}</dd>
          <dt><kbd>r</kbd></dt>
          <dd>{t('inbox.key.reply')}</dd>
          <dt><kbd>e</kbd></dt>
          <dd>{t('inbox.key.resolve')}</dd>
          <dt><kbd>?</kbd></dt>
          <dd>{t('inbox.key.help')}</dd>
        </dl>
      </Dialog>
    </div>
    </>
  );
}

const isTyping = (e: KeyboardEvent) => {
  const el = e.target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable || !!el.closest('dialog'));
};

function Conversation({ slug, id, liveTick, onChanged }: { slug: string; id: string; liveTick: number; onChanged(): void }) {
  const { t, formatDateTime } = useI18n();
  const s = useSession();
  const toast = useToast();
  const detail = useLoad(() => api<Detail>('GET', tenantPath(slug, `/conversations/${id}`)), [slug, id, liveTick]);
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [reveal, setReveal] = useState<{ type: string; token: string } | null>(null);
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const box = useRef<HTMLTextAreaElement>(null);

  const act = useCallback(
    async (what: string, fn: () => Promise<unknown>, done: string) => {
      setBusy(what);
      try {
        await fn();
        toast(done);
        detail.reload();
        onChanged();
      } catch (e) {
        toast(errorText(t, e), 'danger');
      } finally {
        setBusy(null);
      }
    },
    [toast, t, detail, onChanged],
  );
  const resolve = useCallback(
    () => act('status', () => api('PATCH', tenantPath(slug, `/conversations/${id}`), { status: 'resolved' }), t('inbox.resolved')),
    [act, slug, id, t],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e)) return;
      if (e.key === 'r') {
        e.preventDefault();
        setMode('reply');
        box.current?.focus();
      } else if (e.key === 'e') void resolve();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [resolve]);

  const send = (e: FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    void act(
      'send',
      async () => {
        await api('POST', tenantPath(slug, `/conversations/${id}/${mode === 'reply' ? 'messages' : 'notes'}`), { text: body });
        setText('');
      },
      mode === 'reply' ? t('inbox.sent') : t('inbox.noted'),
    );
  };

  const d = detail.data;
  if (detail.error && !d) return <ErrorState error={detail.error} onRetry={detail.reload} />;
  if (!d) return <Spinner />;
  const renderText = (txt: string): ReactNode[] => {
    const out: ReactNode[] = [];
    let last = 0;
    for (const m of txt.matchAll(TOKEN_RE)) {
      if (m.index! > last) out.push(txt.slice(last, m.index));
      const [, type, token] = m;
      out.push(
        revealed[token!] !== undefined ? (
          <mark key={`${token}-${m.index}`} className="revealed">{revealed[token!]}</mark>
        ) : (
          <button key={`${token}-${m.index}`} type="button" className="token" onClick={() => setReveal({ type: type!, token: token! })}>
            {t('inbox.masked', { type: type! })}
          </button>
        ),
      );
      last = m.index! + m[0].length;
    }
    if (last < txt.length) out.push(txt.slice(last));
    return out;
  };

  return (
    <div className="conversation">
      <div className="conv-main">
        <header className="conv-header">
          <div>
            <h2 className="conv-title">{d.subject ?? t(`inbox.channel.${d.channel}`)}</h2>
            <div className="badges">
              <Badge tone={statusTone(d.status)}>{t(`inbox.status.${d.status}`)}</Badge>
              <Badge>{t(`inbox.priority.${d.priority}`)}</Badge>
              {d.assigneeId === s.user?.id ? <Badge tone="info">{t('inbox.assignedToMe')}</Badge> : d.assigneeId ? <Badge>{t('inbox.assigned')}</Badge> : <Badge tone="warning">{t('inbox.unassigned')}</Badge>}
            </div>
          </div>
          <div className="row">
            {d.assigneeId !== s.user?.id && (
              <Button size="sm" busy={busy === 'assign'} onClick={() => void act('assign', () => api('POST', tenantPath(slug, `/conversations/${id}/assign`), { userId: s.user!.id }), t('inbox.assignedToast'))}>
                {t('inbox.assignMe')}
              </Button>
            )}
            {d.status !== 'resolved' && (
              <Button size="sm" variant="primary" busy={busy === 'status'} onClick={() => void resolve()}>
                {t('inbox.resolve')}
              </Button>
            )}
          </div>
        </header>
        {d.erased ? (
          <EmptyState title={t('inbox.erased')} />
        ) : (
          <ol className="messages">
            {d.messages.map((m) => (
              <li key={m.id} className={`msg msg-${m.kind === 'note' ? 'note' : m.direction === 'outbound' ? 'out' : 'in'}`}>
                <div className="msg-meta">
                  <Badge>{t(`inbox.channel.${m.channel}`)}</Badge>
                  <span>{m.kind === 'note' ? t('inbox.note') : t(`inbox.author.${m.authorType === 'agent' || m.authorType === 'user' ? 'agent' : m.authorType === 'system' ? 'system' : 'customer'}`)}</span>
                  <time dateTime={m.createdAt}>{formatDateTime(m.createdAt)}</time>
                </div>
                <p className="msg-text">{m.text === null ? <em>{t('inbox.noText')}</em> : renderText(m.text)}</p>
              </li>
            ))}
          </ol>
        )}
        <form className="composer" onSubmit={send}>
          <div className="tabs" role="group" aria-label={t('inbox.composeMode')}>
            <button type="button" className={`tab ${mode === 'reply' ? 'tab-active' : ''}`} aria-pressed={mode === 'reply'} onClick={() => setMode('reply')}>
              {t('inbox.reply')}
            </button>
            <button type="button" className={`tab ${mode === 'note' ? 'tab-active' : ''}`} aria-pressed={mode === 'note'} onClick={() => setMode('note')}>
              {t('inbox.internalNote')}
            </button>
          </div>
          <TextArea
            ref={box}
            label={mode === 'reply' ? t('inbox.replyLabel') : t('inbox.noteLabel')}
            value={text}
            maxLength={20000}
            onChange={(e) => setText(e.target.value)}
          />
          <div className="row">
            <Button type="submit" variant="primary" busy={busy === 'send'} disabled={!text.trim()}>
              {mode === 'reply' ? t('inbox.send') : t('inbox.addNote')}
            </Button>
          </div>
        </form>
      </div>
      <CustomerPanel slug={slug} customerId={d.customerId} conversationId={id} />
      <RevealDialog slug={slug} conversationId={id} target={reveal} onClose={() => setReveal(null)} onRevealed={(tok, v) => setRevealed({ ...revealed, [tok]: v })} />
    </div>
  );
}

function CustomerPanel({ slug, customerId, conversationId }: { slug: string; customerId: string; conversationId: string }) {
  const { t } = useI18n();
  const c = useLoad(
    () => api<Customer>('GET', tenantPath(slug, `/customers/${customerId}${query({ conversationId })}`)),
    [slug, customerId, conversationId],
  );
  const masked = new Set(c.data?.masked ?? []);
  const row = (label: string, field: string, value: ReactNode) => (
    <>
      <dt>{label}</dt>
      <dd>{masked.has(field) ? <span className="masked-value">{t('inbox.maskedField')}</span> : value || '—'}</dd>
    </>
  );
  return (
    <aside className="customer-panel" aria-label={t('inbox.customer')}>
      <Card title={t('inbox.customer')}>
        {c.error ? (
          <ErrorState error={c.error} onRetry={c.reload} />
        ) : !c.data ? (
          <Spinner />
        ) : (
          <dl className="kv kv-stacked">
            {row(t('customer.name'), 'name', c.data.name)}
            {row(t('customer.number'), 'customerNumber', c.data.customerNumber)}
            {row(t('customer.emails'), 'emails', c.data.emails?.join(', '))}
            {row(t('customer.phones'), 'phones', c.data.phones?.join(', '))}
            {row(t('customer.language'), 'language', c.data.language)}
            {row(t('customer.dateOfBirth'), 'dateOfBirth', c.data.dateOfBirth)}
            {row(
              t('customer.address'),
              'address',
              c.data.address ? [c.data.address.street, [c.data.address.postalCode, c.data.address.city].filter(Boolean).join(' '), c.data.address.country].filter(Boolean).join(', ') : null,
            )}
          </dl>
        )}
      </Card>
    </aside>
  );
}

function RevealDialog({
  slug,
  conversationId,
  target,
  onClose,
  onRevealed,
}: {
  slug: string;
  conversationId: string;
  target: { type: string; token: string } | null;
  onClose(): void;
  onRevealed(token: string, value: string): void;
}) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const close = () => {
    setReason('');
    setError(null);
    onClose();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!target) return;
    if (reason.trim().length < 10) return setError(t('inbox.revealReasonShort'));
    setBusy(true);
    try {
      const r = await api<{ token: string; value: string }>('POST', tenantPath(slug, `/conversations/${conversationId}/reveal`), {
        token: target.token,
        reason: reason.trim(),
      });
      onRevealed(r.token, r.value);
      close();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={target !== null} title={t('inbox.revealTitle', { type: target?.type ?? '' })} onClose={close}>
      <form className="stack" onSubmit={submit} noValidate>
        <p>{t('inbox.revealExplain')}</p>
        <TextArea label={t('inbox.revealReason')} hint={t('inbox.revealHint')} error={error} value={reason} maxLength={500} data-autofocus onChange={(e) => setReason(e.target.value)} />
        <div className="dialog-footer">
          <Button variant="ghost" onClick={close}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy}>{t('inbox.reveal')}</Button>
        </div>
      </form>
    </Dialog>
  );
}
