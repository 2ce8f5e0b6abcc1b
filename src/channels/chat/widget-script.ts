// The embeddable widget: plain DOM, textContent only (no innerHTML, no eval), no framework.
// The host page includes <script src="https://vigil.example/widget/<tenant>.js" async></script>
// (optionally data-lang="de"). The tenant's theme (src/channels/chat/theme.ts) is baked in; the
// language is the theme's, else the script tag's, the page's or the visitor's (de, en, fr). The
// consent notice must be acknowledged before the first message; the acknowledgement stays in the
// visitor's browser only. Keyboard: the launcher toggles, Escape closes and returns focus.
import { DEFAULT_THEME, type WidgetTheme } from './theme.ts';

const STRINGS = {
  en: {
    open: 'Chat with us',
    title: 'Chat',
    close: 'Close chat',
    log: 'Conversation',
    message: 'Your message',
    send: 'Send',
    you: 'You',
    agent: 'Agent',
    typing: 'Agent is typing…',
    notSent: 'Not sent, please try again.',
    consent:
      'This chat is stored so that our team can answer you. Personal data such as card numbers is masked automatically.',
    privacy: 'Privacy notice',
    accept: 'OK, start chatting',
  },
  de: {
    open: 'Chatten Sie mit uns',
    title: 'Chat',
    close: 'Chat schließen',
    log: 'Unterhaltung',
    message: 'Ihre Nachricht',
    send: 'Senden',
    you: 'Sie',
    agent: 'Team',
    typing: 'Das Team schreibt …',
    notSent: 'Nicht gesendet, bitte erneut versuchen.',
    consent:
      'Dieser Chat wird gespeichert, damit unser Team Ihnen antworten kann. Persönliche Daten wie Kartennummern werden automatisch maskiert.',
    privacy: 'Datenschutzhinweis',
    accept: 'OK, Chat starten',
  },
  fr: {
    open: 'Discutez avec nous',
    title: 'Chat',
    close: 'Fermer le chat',
    log: 'Conversation',
    message: 'Votre message',
    send: 'Envoyer',
    you: 'Vous',
    agent: 'Équipe',
    typing: 'L’équipe écrit…',
    notSent: 'Non envoyé, veuillez réessayer.',
    consent:
      'Ce chat est conservé pour que notre équipe puisse vous répondre. Les données personnelles comme les numéros de carte sont masquées automatiquement.',
    privacy: 'Politique de confidentialité',
    accept: 'OK, commencer',
  },
};

/** JSON that stays inside a <script> (no "</script>" or U+2028 surprises). */
const literal = (v: unknown) =>
  JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

export function widgetScript(
  tenantSlug: string,
  theme: WidgetTheme = DEFAULT_THEME,
  tenantName = '',
): string {
  // The slug is validated by the route (^[a-z0-9-]+$); the theme by its schema.
  return `(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.src) return;
  var base = new URL(script.src).origin;
  var slug = ${literal(tenantSlug)};
  var theme = ${literal(theme)};
  var T = ${literal(STRINGS)};
  var tenantName = ${literal(tenantName)};
  function pick() {
    var c = [theme.language !== 'auto' ? theme.language : '', script.getAttribute('data-lang'), document.documentElement.lang, navigator.language];
    for (var i = 0; i < c.length; i++) { var l = String(c[i] || '').slice(0, 2).toLowerCase(); if (T[l]) return l; }
    return 'en';
  }
  var lang = pick(); var t = T[lang];
  var api = base + '/api/v1/widget/' + slug;
  var storeKey = 'vigil.visitor.' + slug; var consentKey = 'vigil.consent.' + slug;
  function get(k) { try { return window.localStorage.getItem(k); } catch (e) { return null; } }
  function put(k, v) { try { window.localStorage.setItem(k, v); } catch (e) {} }
  var token = get(storeKey);
  function saveToken(x) { token = x; put(storeKey, x); }
  function el(tag, text, css) { var n = document.createElement(tag); if (text) n.textContent = text; if (css) n.style.cssText = css; return n; }
  function id() {
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  var side = theme.position === 'bottom-left' ? 'left' : 'right';
  var colours = 'background:' + theme.primary + ';color:' + theme.onPrimary + ';';
  var root = el('div', '', 'position:fixed;bottom:16px;' + side + ':16px;z-index:2147483000;font:15px/1.4 system-ui,sans-serif;display:flex;flex-direction:column;align-items:flex-' + (side === 'left' ? 'start' : 'end') + ';gap:8px');
  root.setAttribute('data-vigil-widget', slug); root.lang = lang;
  var panelId = 'vigil-chat-' + slug;
  var panel = el('div', '', 'display:none;width:320px;max-width:calc(100vw - 32px);background:#fff;color:#1a1a1a;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);overflow:hidden');
  panel.id = panelId; panel.setAttribute('role', 'dialog'); panel.setAttribute('aria-label', theme.title || tenantName || t.title);
  var head = el('div', '', colours + 'display:flex;align-items:center;gap:8px;padding:10px 12px');
  if (theme.logoUrl) { var logo = el('img', '', 'height:24px;width:auto'); logo.src = theme.logoUrl; logo.alt = ''; head.appendChild(logo); }
  head.appendChild(el('strong', theme.title || tenantName || t.title, 'flex:1'));
  var close = el('button', '\\u00d7', colours + 'border:0;font-size:22px;line-height:1;cursor:pointer;min-width:32px;min-height:32px');
  close.type = 'button'; close.setAttribute('aria-label', t.close); head.appendChild(close);
  var notice = el('div', '', 'padding:10px 12px;background:#f4f6f9;border-bottom:1px solid #d5dbe3');
  notice.appendChild(el('p', t.consent, 'margin:0 0 8px'));
  if (theme.privacyUrl) { var a = el('a', t.privacy, 'color:#0b4fa8;display:inline-block;margin-bottom:8px'); a.href = theme.privacyUrl; a.target = '_blank'; a.rel = 'noopener'; notice.appendChild(a); }
  var accept = el('button', t.accept, colours + 'display:block;border:0;border-radius:6px;padding:8px 12px;cursor:pointer;font:inherit');
  accept.type = 'button'; notice.appendChild(accept);
  var log = el('div', '', 'height:240px;overflow-y:auto;padding:10px 12px;display:flex;flex-direction:column;gap:6px');
  log.setAttribute('role', 'log'); log.setAttribute('aria-live', 'polite'); log.setAttribute('aria-label', t.log); log.tabIndex = 0;
  var form = el('form', '', 'display:flex;gap:6px;padding:10px 12px;border-top:1px solid #d5dbe3');
  var input = el('input', '', 'flex:1;min-width:0;padding:8px;border:1px solid #6b7785;border-radius:6px;font:inherit;color:#1a1a1a;background:#fff');
  input.type = 'text'; input.maxLength = 4000; input.setAttribute('aria-label', t.message); input.placeholder = t.message;
  var send = el('button', t.send, colours + 'border:0;border-radius:6px;padding:8px 12px;cursor:pointer;font:inherit');
  send.type = 'submit';
  form.appendChild(input); form.appendChild(send);
  var typing = el('div', '', 'min-height:1.2em;padding:0 12px;font-size:12px;font-style:italic;color:#4a5563');
  typing.setAttribute('role', 'status'); typing.setAttribute('data-vigil-typing', '');
  var typingTimer = null;
  function agentTyping() {
    typing.textContent = t.typing;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typing.textContent = ''; }, 6000);
  }
  panel.appendChild(head); panel.appendChild(notice); panel.appendChild(log); panel.appendChild(typing); panel.appendChild(form);
  var button = el('button', t.open, colours + 'border:0;border-radius:999px;padding:12px 18px;min-height:44px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.2);font:inherit;font-weight:600');
  button.type = 'button'; button.setAttribute('aria-expanded', 'false'); button.setAttribute('aria-controls', panelId);
  root.appendChild(panel); root.appendChild(button); document.body.appendChild(root);
  function consented(yes) { notice.style.display = yes ? 'none' : 'block'; input.disabled = !yes; send.disabled = !yes; }
  consented(get(consentKey) === '1');
  accept.addEventListener('click', function () { put(consentKey, '1'); consented(true); input.focus(); });
  function toggle(open) {
    panel.style.display = open ? 'block' : 'none'; button.setAttribute('aria-expanded', open ? 'true' : 'false');
    if (open) (input.disabled ? accept : input).focus(); else button.focus();
  }
  button.addEventListener('click', function () { toggle(panel.style.display === 'none'); });
  close.addEventListener('click', function () { toggle(false); });
  panel.addEventListener('keydown', function (e) { if (e.key === 'Escape') toggle(false); });
  var seen = {};
  function show(mine, text, mid) {
    if (mid) { if (seen[mid]) return; seen[mid] = true; }
    var line = el('div', '', 'max-width:85%;padding:6px 10px;border-radius:10px;' + (mine ? colours + 'align-self:flex-end' : 'background:#eef1f5;color:#1a1a1a;align-self:flex-start'));
    line.appendChild(el('strong', (mine === null ? '!' : mine ? t.you : t.agent) + ': '));
    line.appendChild(document.createTextNode(text)); log.appendChild(line); log.scrollTop = log.scrollHeight;
  }
  // Satisfaction after a resolved chat (issue 29): five buttons; the signed token is the credential.
  function rate(m) {
    var box = el('div'); box.setAttribute('role', 'group'); box.setAttribute('aria-label', m.question);
    box.appendChild(el('p', m.question));
    [1, 2, 3, 4, 5].forEach(function (n) {
      var b = el('button', String(n)); b.type = 'button';
      b.addEventListener('click', function () {
        fetch(base + '/csat/' + m.token, { method: 'POST', mode: 'no-cors', body: new URLSearchParams({ score: String(n) }) })
          .then(function () { box.textContent = m.thanks; }).catch(function () {});
      });
      box.appendChild(b);
    });
    log.appendChild(box); log.scrollTop = log.scrollHeight;
  }
  var ws = null;
  function connect() {
    if (!token || ws) return;
    ws = new WebSocket(api.replace(/^http/, 'ws') + '/ws?token=' + encodeURIComponent(token));
    ws.onmessage = function (ev) {
      var m; try { m = JSON.parse(ev.data); } catch (e) { return; }
      if (m && m.type === 'typing') agentTyping();
      if (m && m.type === 'message' && typeof m.text === 'string') { typing.textContent = ''; show(false, m.text, m.messageId); }
      if (m && m.type === 'csat' && typeof m.token === 'string') rate(m);
    };
    ws.onclose = function () { ws = null; setTimeout(connect, 5000); };
  }
  function load() {
    if (!token) return;
    fetch(api + '/messages', { headers: { authorization: 'Bearer ' + token } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (h) { if (!h) return; if (h.visitorToken) saveToken(h.visitorToken); h.messages.forEach(function (m) { show(m.author !== 'agent', m.text, m.id); }); connect(); })
      .catch(function () {});
  }
  // The visitor's typing, at most every two seconds (ids only; the server limits it too).
  var lastTyping = 0;
  input.addEventListener('input', function () {
    var now = Date.now();
    if (!ws || ws.readyState !== 1 || now - lastTyping < 2000 || !input.value) return;
    lastTyping = now; ws.send(JSON.stringify({ type: 'typing' }));
  });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = input.value.trim(); if (!text || input.disabled) return;
    input.value = '';
    var body = JSON.stringify({ text: text, clientMessageId: id() });
    var headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = 'Bearer ' + token;
    fetch(api + '/messages', { method: 'POST', headers: headers, body: body })
      .then(function (r) { return r.json(); })
      .then(function (res) { if (res && res.visitorToken) { saveToken(res.visitorToken); show(true, text, res.messageId); connect(); } else show(null, t.notSent); })
      .catch(function () { show(null, t.notSent); });
  });
  load();
})();
`;
}
