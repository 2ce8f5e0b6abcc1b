// One conversation: its timeline (or the customer's timeline over every channel), reply per
// channel and internal notes, assignment and status, reveal-with-a-reason for tokenized values.
// Customer text is rendered as React text nodes only (no HTML, no active content).
import { type FormEvent, type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { api, query, tenantPath } from '../../api';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { useSession } from '../../session';
import {
  Badge,
  Button,
  Dialog,
  EmptyState,
  ErrorState,
  errorText,
  Select,
  Spinner,
  TextArea,
  type Tone,
  useToast,
} from '../../ui';
import { CustomerPanel } from './CustomerPanel';
import { Files } from './Files';
import { MacroPicker } from './MacroPicker';
import { RevealDialog, type RevealTarget } from './RevealDialog';
import { SnoozeControl } from './SnoozeControl';
import { markSelfAssigned } from './self-actions';
import { TransferDialog } from './TransferDialog';
import { TranslatePanel } from './TranslatePanel';
import { type Detail, isTyping, type Message, STATUSES, type Summary, statusTone } from './types';

/** E-mail delivery as the relay answered (src/channels/email): shown on each outbound mail. */
const DELIVERY_TONE: Record<string, Tone> = { queued: 'neutral', sent: 'success', deferred: 'warning', bounced: 'danger' };

const TOKEN_RE = /\[([A-Z_]+):(tok_[a-z0-9]{20})\]/g;
type TimelineEntry = Message & { conversationId: string; subject: string | null };

export function Conversation({
  slug,
  id,
  liveTick,
  visitorTyping = false,
  onTyping,
  onChanged,
}: {
  slug: string;
  id: string;
  liveTick: number;
  /** The chat visitor is typing right now. */
  visitorTyping?: boolean;
  /** The agent types a reply (the inbox tells the visitor, rate-limited). */
  onTyping?: () => void;
  onChanged(): void;
}) {
  const { t, code, locale } = useI18n();
  const s = useSession();
  const toast = useToast();
  const detail = useLoad(
    () => api<Detail>('GET', tenantPath(slug, `/conversations/${id}`)),
    [slug, id, liveTick],
  );
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  const [scope, setScope] = useState<'conversation' | 'customer'>('conversation');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [reveal, setReveal] = useState<RevealTarget | null>(null);
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const [transferOpen, setTransferOpen] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const d = detail.data;
  const canReply = d?.channel !== 'voice';

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
  const setStatus = useCallback(
    (status: string) =>
      act(
        'status',
        () => api('PATCH', tenantPath(slug, `/conversations/${id}`), { status }),
        t('inbox.statusChanged', { status: t(`inbox.status.${status}`) }),
      ),
    [act, slug, id, t],
  );
  const assign = useCallback(
    (userId: string | null) =>
      act(
        'assign',
        () => {
          if (userId) markSelfAssigned(id);
          return api('POST', tenantPath(slug, `/conversations/${id}/assign`), { userId });
        },
        userId ? t('inbox.assignedToast') : t('inbox.unassignedToast'),
      ),
    [act, slug, id, t],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e)) return;
      const focus = (m: 'reply' | 'note') => {
        e.preventDefault();
        setMode(m);
        setTimeout(() => box.current?.focus(), 0);
      };
      if (e.key === 'r' && canReply) focus('reply');
      else if (e.key === 'n') focus('note');
      else if (e.key === 'e') void setStatus('resolved');
      else if (e.key === 'a' && s.user) void assign(s.user.id);
      else if (e.key === 't') setScope((x) => (x === 'conversation' ? 'customer' : 'conversation'));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setStatus, assign, s.user, canReply]);

  useEffect(() => {
    if (!canReply) setMode('note');
  }, [canReply]);

  const send = (e: { preventDefault(): void }) => {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    void act(
      'send',
      async () => {
        await api(
          'POST',
          tenantPath(slug, `/conversations/${id}/${mode === 'reply' ? 'messages' : 'notes'}`),
          {
            text: body,
          },
        );
        setText('');
      },
      mode === 'reply' ? t('inbox.sent') : t('inbox.noted'),
    );
  };

  if (detail.error && !d) return <ErrorState error={detail.error} onRetry={detail.reload} />;
  if (!d) return <Spinner />;

  const renderText = (txt: string, cid: string): ReactNode[] => {
    const out: ReactNode[] = [];
    let last = 0;
    for (const m of txt.matchAll(TOKEN_RE)) {
      if (m.index! > last) out.push(txt.slice(last, m.index));
      const [, type, token] = m;
      out.push(
        revealed[token!] !== undefined ? (
          <mark key={`${token}-${m.index}`} className="revealed">
            {revealed[token!]}
          </mark>
        ) : (
          <button
            key={`${token}-${m.index}`}
            type="button"
            className="token"
            onClick={() => setReveal({ type: type!, token: token!, conversationId: cid })}
          >
            {t('inbox.masked', { type: code('pii.entity', type) })}
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
              {d.assigneeId === s.user?.id ? (
                <Badge tone="info">{t('inbox.assignedToMe')}</Badge>
              ) : d.assigneeId ? (
                <Badge>{t('inbox.assigned')}</Badge>
              ) : (
                <Badge tone="warning">{t('inbox.unassigned')}</Badge>
              )}
              {d.call && (
                <Badge>{t(`inbox.consent.${d.call.consent === 'granted' ? 'granted' : 'none'}`)}</Badge>
              )}
            </div>
          </div>
          <div className="row conv-actions">
            <Select
              label={t('inbox.status')}
              value={d.status}
              disabled={busy === 'status'}
              onChange={(e) => void setStatus(e.target.value)}
              options={STATUSES.map((x) => ({ value: x, label: t(`inbox.status.${x}`) }))}
            />
            {d.assigneeId !== s.user?.id ? (
              <Button
                size="sm"
                busy={busy === 'assign'}
                onClick={() => void assign(s.user!.id)}
                aria-keyshortcuts="a"
              >
                {t('inbox.assignMe')}
              </Button>
            ) : (
              <Button size="sm" variant="ghost" busy={busy === 'assign'} onClick={() => void assign(null)}>
                {t('inbox.unassign')}
              </Button>
            )}
            <SnoozeControl
              slug={slug}
              conversationId={id}
              snoozedUntil={d.snoozedUntil}
              onDone={() => {
                detail.reload();
                onChanged();
              }}
            />
            {(d.assigneeId === s.user?.id || s.rolesIn(slug).includes('supervisor')) && (
              <Button size="sm" variant="ghost" onClick={() => setTransferOpen(true)}>
                {t('inbox.transfer')}
              </Button>
            )}
          </div>
        </header>
        <fieldset className="tabs">
          <legend className="sr-only">{t('inbox.timelineScope')}</legend>
          {(['conversation', 'customer'] as const).map((x) => (
            <button
              key={x}
              type="button"
              className={`tab ${scope === x ? 'tab-active' : ''}`}
              aria-pressed={scope === x}
              onClick={() => setScope(x)}
            >
              {t(`inbox.scope.${x}`)}
            </button>
          ))}
        </fieldset>
        {scope === 'customer' ? (
          <CustomerTimeline
            slug={slug}
            customerId={d.customerId}
            currentId={id}
            tick={liveTick}
            render={renderText}
          />
        ) : d.erased ? (
          <EmptyState title={t('inbox.erased')} />
        ) : (
          <Timeline
            entries={d.messages.map((m) => ({ ...m, conversationId: id, subject: d.subject }))}
            render={renderText}
          />
        )}
        {canReply && (
          <TranslatePanel slug={slug} conversationId={id} language={d.language} messages={d.messages} render={(x) => renderText(x, id)} onSent={() => { detail.reload(); onChanged(); }} />
        )}
        <form className="composer" onSubmit={send}>
          <fieldset className="tabs">
            <legend className="sr-only">{t('inbox.composeMode')}</legend>
            {canReply && (
              <button
                type="button"
                className={`tab ${mode === 'reply' ? 'tab-active' : ''}`}
                aria-pressed={mode === 'reply'}
                onClick={() => setMode('reply')}
              >
                {t('inbox.replyVia', { channel: t(`inbox.channel.${d.channel}`) })}
              </button>
            )}
            <button
              type="button"
              className={`tab ${mode === 'note' ? 'tab-active' : ''}`}
              aria-pressed={mode === 'note'}
              onClick={() => setMode('note')}
            >
              {t('inbox.internalNote')}
            </button>
          </fieldset>
          {!canReply && <p className="muted small">{t('inbox.voiceNoReply')}</p>}
          {visitorTyping && (
            <p className="typing-hint" role="status" data-testid="visitor-typing">
              {t('inbox.customerTyping')}
            </p>
          )}
          {mode === 'reply' && canReply && (
            <MacroPicker
              slug={slug}
              conversationId={id}
              language={locale}
              onInsert={(macroText) => {
                setText((x) => (x.trim() ? `${x.trimEnd()}\n${macroText}` : macroText));
                setTimeout(() => box.current?.focus(), 0);
              }}
            />
          )}
          <TextArea
            ref={box}
            label={mode === 'reply' ? t('inbox.replyLabel') : t('inbox.noteLabel')}
            value={text}
            maxLength={20000}
            onChange={(e) => {
              setText(e.target.value);
              if (mode === 'reply' && d.channel === 'chat' && e.target.value) onTyping?.();
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send(e);
              if (e.key === 'Escape') e.currentTarget.blur();
            }}
          />
          <div className="row">
            <Button type="submit" variant="primary" busy={busy === 'send'} disabled={!text.trim()}>
              {mode === 'reply' ? t('inbox.send') : t('inbox.addNote')}
            </Button>
            <span className="muted small">{t('inbox.sendHint')}</span>
          </div>
        </form>
      </div>
      <Files slug={slug} conversationId={id} tick={liveTick} />
      <CustomerPanel
        slug={slug}
        customerId={d.customerId}
        conversationId={id}
        onReveal={(target) => setReveal(target)}
        revealed={revealed}
      />
      <TransferDialog
        slug={slug}
        conversationId={id}
        currentQueueId={d.queueId}
        open={transferOpen}
        onClose={() => setTransferOpen(false)}
        onDone={() => {
          setTransferOpen(false);
          toast(t('inbox.transferred'));
          onChanged();
          detail.reload();
        }}
      />
      <RevealDialog
        slug={slug}
        target={reveal}
        assignedToMe={!!s.user && reveal?.conversationId === id && d.assigneeId === s.user.id}
        onAssign={async (cid) => {
          markSelfAssigned(cid);
          await api('POST', tenantPath(slug, `/conversations/${cid}/assign`), { userId: s.user!.id });
          onChanged();
          if (cid === id) detail.reload();
        }}
        onClose={() => setReveal(null)}
        onRevealed={(tok, v) => setRevealed((r) => ({ ...r, [tok]: v }))}
      />
    </div>
  );
}

function Timeline({
  entries,
  render,
}: {
  entries: TimelineEntry[];
  render(txt: string, conversationId: string): ReactNode[];
}) {
  const { t, formatDateTime } = useI18n();
  if (entries.length === 0) return <EmptyState title={t('inbox.noMessages')} />;
  const who = (m: Message) =>
    m.kind === 'note'
      ? t('inbox.note')
      : m.speaker
        ? t(`inbox.speaker.${m.speaker === 'agent' ? 'agent' : 'caller'}`)
        : t(
            `inbox.author.${m.authorType === 'agent' || m.authorType === 'user' ? 'agent' : m.authorType === 'system' ? 'system' : 'customer'}`,
          );
  return (
    <ol className="messages" data-testid="timeline">
      {entries.map((m) => (
        <li
          key={m.id}
          className={`msg msg-${m.kind === 'note' ? 'note' : m.direction === 'outbound' ? 'out' : 'in'}`}
          data-channel={m.channel}
        >
          <div className="msg-meta">
            <Badge>{t(`inbox.channel.${m.channel}`)}</Badge>
            <span>{who(m)}</span>
            <time dateTime={m.createdAt}>{formatDateTime(m.createdAt)}</time>
            {m.channel === 'email' && m.direction === 'outbound' && m.deliveryState && (
              <span data-testid="delivery-state">
                <Badge tone={DELIVERY_TONE[m.deliveryState] ?? 'neutral'}>{t(`delivery.${m.deliveryState}`)}</Badge>
              </span>
            )}
          </div>
          <p className="msg-text">
            {m.text === null ? <em>{t('inbox.noText')}</em> : render(m.text, m.conversationId)}
          </p>
        </li>
      ))}
    </ol>
  );
}

/** Every conversation of this customer that the agent may see, merged by time over all channels. */
function CustomerTimeline({
  slug,
  customerId,
  currentId,
  tick,
  render,
}: {
  slug: string;
  customerId: string;
  currentId: string;
  tick: number;
  render(txt: string, conversationId: string): ReactNode[];
}) {
  const { t, code } = useI18n();
  const all = useLoad(async () => {
    const list = await api<{ items: Summary[] }>(
      'GET',
      tenantPath(slug, `/conversations${query({ customer: customerId, limit: 20 })}`),
    );
    const ids = list.items.map((c) => c.id);
    if (!ids.includes(currentId)) ids.unshift(currentId);
    const details = await Promise.all(
      ids.slice(0, 10).map((cid) => api<Detail>('GET', tenantPath(slug, `/conversations/${cid}`))),
    );
    return details
      .flatMap((c) => c.messages.map((m) => ({ ...m, conversationId: c.id, subject: c.subject })))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }, [slug, customerId, currentId, tick]);
  if (all.error) return <ErrorState error={all.error} onRetry={all.reload} />;
  if (!all.data) return <Spinner />;
  return (
    <>
      <p className="muted small">{t('inbox.customerTimelineHint')}</p>
      <Timeline entries={all.data} render={render} />
    </>
  );
}
