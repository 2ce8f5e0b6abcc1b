// Translation for the agent (issue 29): a toggle that shows the customer's messages in the agent's
// console language, and a reply written in the agent's language that is sent in the customer's.
// Both go through the translation routes, which withhold personal data from the provider
// (placeholders) and restore it afterwards; the result is rendered as text nodes only.
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { api, tenantPath } from '../../api';
import { useI18n } from '../../i18n';
import { Button, errorText, TextArea, useToast } from '../../ui';
import type { Message } from './types';

interface Translation {
  messageId: string;
  from: string;
  text: string;
}

export function TranslatePanel({
  slug,
  conversationId,
  language,
  messages,
  render,
  onSent,
}: {
  slug: string;
  conversationId: string;
  /** The customer's language as detected when the conversation opened (may be null). */
  language: string | null | undefined;
  messages: Message[];
  render(txt: string): ReactNode[];
  onSent(): void;
}) {
  const { t, locale, code } = useI18n();
  const toast = useToast();
  const [on, setOn] = useState(false);
  const [done, setDone] = useState<Record<string, Translation | { error: string }>>({});
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  // Each message is translated once per open conversation, however often the view re-renders.
  const asked = useRef(new Set<string>());
  const base = `/conversations/${conversationId}`;
  const inbound = messages.filter((m) => m.direction === 'inbound' && m.kind === 'message' && m.text !== null);
  const customerLang = language ?? null;

  useEffect(() => {
    if (!on) return;
    for (const m of inbound) {
      if (asked.current.has(m.id)) continue;
      asked.current.add(m.id);
      api<Translation>('POST', tenantPath(slug, `${base}/messages/${m.id}/translation`), { to: locale })
        .then((r) => setDone((d) => ({ ...d, [m.id]: r })))
        .catch((e) => setDone((d) => ({ ...d, [m.id]: { error: errorText(t, e) } })));
    }
  }, [on, inbound, slug, base, locale, t]);

  const sendTranslated = async () => {
    const body = text.trim();
    if (!body) return;
    setBusy(true);
    try {
      await api('POST', tenantPath(slug, `${base}/translated-reply`), { text: body, from: locale });
      setText('');
      toast(t('translate.sent'));
      onSent();
    } catch (e) {
      toast(errorText(t, e), 'danger');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="translate-panel" aria-label={t('translate.title')}>
      <label className="row">
        <input type="checkbox" checked={on} onChange={(e) => setOn(e.target.checked)} />
        <span>{t('translate.toggle', { language: code('lang', locale) })}</span>
      </label>
      {on && (
        <ol className="messages" data-testid="translations">
          {inbound.map((m) => {
            const r = done[m.id];
            return (
              <li key={m.id} className="msg msg-in">
                <div className="msg-meta">
                  {r && 'from' in r ? t('translate.from', { language: code('lang', r.from) }) : null}
                </div>
                <p className="msg-text">
                  {!r ? t('translate.working') : 'error' in r ? <em>{r.error}</em> : render(r.text)}
                </p>
              </li>
            );
          })}
        </ol>
      )}
      <TextArea
        label={t('translate.replyLabel', {
          language: customerLang ? code('lang', customerLang) : t('translate.customerLanguage'),
        })}
        hint={t('translate.replyHint', { language: code('lang', locale) })}
        value={text}
        maxLength={10000}
        onChange={(e) => setText(e.target.value)}
      />
      <Button busy={busy} disabled={!text.trim()} onClick={() => void sendTranslated()}>
        {t('translate.send')}
      </Button>
    </section>
  );
}
