// The embeddable widget: plain DOM, textContent only (no innerHTML, no eval), no framework.
// The host page includes <script src="https://vigil.example/widget/<tenant>.js" async></script>.
export function widgetScript(tenantSlug: string): string {
  // The slug is validated by the route (^[a-z0-9-]+$); JSON.stringify keeps it a string literal.
  const slug = JSON.stringify(tenantSlug);
  return `(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || !script.src) return;
  var base = new URL(script.src).origin;
  var slug = ${slug};
  var api = base + '/api/v1/widget/' + slug;
  var storeKey = 'vigil.visitor.' + slug;
  var token = null;
  try { token = window.localStorage.getItem(storeKey); } catch (e) { token = null; }
  function saveToken(t) { token = t; try { window.localStorage.setItem(storeKey, t); } catch (e) {} }
  function el(tag, text) { var n = document.createElement(tag); if (text) n.textContent = text; return n; }
  function id() {
    var a = new Uint8Array(16); crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  var root = el('div'); root.setAttribute('data-vigil-widget', slug);
  root.style.cssText = 'position:fixed;bottom:16px;right:16px;z-index:2147483000;font:14px sans-serif';
  var button = el('button', 'Chat'); button.type = 'button';
  var panel = el('div'); panel.style.cssText = 'display:none;width:300px;background:#fff;border:1px solid #ccc;border-radius:8px;padding:8px';
  var log = el('div'); log.style.cssText = 'height:240px;overflow-y:auto;margin-bottom:8px';
  log.setAttribute('role', 'log'); log.setAttribute('aria-live', 'polite');
  var form = el('form'); var input = el('input'); input.type = 'text'; input.maxLength = 4000;
  input.setAttribute('aria-label', 'Message'); input.style.width = '75%';
  var send = el('button', 'Send'); send.type = 'submit';
  form.appendChild(input); form.appendChild(send); panel.appendChild(log); panel.appendChild(form);
  root.appendChild(panel); root.appendChild(button); document.body.appendChild(root);
  var seen = {};
  function show(who, text, mid) {
    if (mid) { if (seen[mid]) return; seen[mid] = true; }
    var line = el('div'); var b = el('strong', who + ': '); line.appendChild(b);
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
      if (m && m.type === 'message' && typeof m.text === 'string') show('Agent', m.text, m.messageId);
      if (m && m.type === 'csat' && typeof m.token === 'string') rate(m);
    };
    ws.onclose = function () { ws = null; setTimeout(connect, 5000); };
  }
  function load() {
    if (!token) return;
    fetch(api + '/messages', { headers: { authorization: 'Bearer ' + token } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (h) { if (!h) return; if (h.visitorToken) saveToken(h.visitorToken); h.messages.forEach(function (m) { show(m.author === 'agent' ? 'Agent' : 'You', m.text, m.id); }); connect(); })
      .catch(function () {});
  }
  button.addEventListener('click', function () { panel.style.display = panel.style.display === 'none' ? 'block' : 'none'; });
  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = input.value.trim(); if (!text) return;
    input.value = '';
    var body = JSON.stringify({ text: text, clientMessageId: id() });
    var headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = 'Bearer ' + token;
    fetch(api + '/messages', { method: 'POST', headers: headers, body: body })
      .then(function (r) { return r.json(); })
      .then(function (res) { if (res && res.visitorToken) { saveToken(res.visitorToken); show('You', text, res.messageId); connect(); } })
      .catch(function () { show('!', 'not sent'); });
  });
  load();
})();
`;
}
