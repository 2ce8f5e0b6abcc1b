// The script and stylesheet of the public privacy-request pages (served from /privacy/assets).
// Plain ES2017 in the browser: the proof of work with WebCrypto, the public intake API with JSON
// POSTs, DOM text only (no innerHTML: the page requires Trusted Types). The status token is read
// from the fragment and kept in memory; nothing goes to web storage.
export const PAGE_JS = `'use strict';
(function () {
  var main = document.getElementById('dsar');
  if (!main) return;
  var words = document.getElementById('words').dataset;
  var slug = main.dataset.slug;
  var locale = main.dataset.locale;
  var api = '/api/v1/public/tenants/' + slug + '/privacy-requests';
  var message = document.getElementById('message');
  // Data attribute names are lower case: data-codewrong is words.codewrong.
  function say(key) { message.textContent = words[key.toLowerCase()] || ''; }
  function post(path, body) {
    return fetch(api + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  }
  function zeroBits(bytes, bits) {
    for (var i = 0; i < bits; i++) if ((bytes[i >> 3] >> (7 - (i & 7))) & 1) return false;
    return true;
  }
  // SHA-256 in plain script, for pages served without a secure context (plain HTTP on a host
  // other than localhost), where browsers offer no WebCrypto.
  var K = [];
  (function () {
    var found = 0;
    for (var c = 2; found < 64; c++) {
      var prime = true;
      for (var d = 2; d * d <= c; d++) if (c % d === 0) { prime = false; break; }
      if (prime) K[found++] = (Math.pow(c, 1 / 3) % 1) * 4294967296 | 0;
    }
  })();
  function sha256(bytes) {
    var H = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var len = bytes.length, total = ((len + 9 + 63) >> 6) << 6, m = new Uint8Array(total), w = new Int32Array(64);
    m.set(bytes);
    m[len] = 0x80;
    new DataView(m.buffer).setUint32(total - 4, len * 8);
    var rotr = function (x, n) { return (x >>> n) | (x << (32 - n)); };
    for (var off = 0; off < total; off += 64) {
      for (var i = 0; i < 16; i++)
        w[i] = (m[off + i * 4] << 24) | (m[off + i * 4 + 1] << 16) | (m[off + i * 4 + 2] << 8) | m[off + i * 4 + 3];
      for (i = 16; i < 64; i++) {
        var s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        var s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (i = 0; i < 64; i++) {
        var t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
      H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
    }
    var out = new Uint8Array(32);
    for (i = 0; i < 8; i++) new DataView(out.buffer).setUint32(i * 4, H[i]);
    return out;
  }
  // Tries 256 nonces at a time: with WebCrypto the digests run in parallel, without it the
  // batch yields to the page between rounds.
  async function solve(challenge, difficulty) {
    var enc = new TextEncoder();
    var subtle = window.crypto && window.crypto.subtle;
    for (var base = 0; ; base += 256) {
      if (!subtle) {
        for (var k = base; k < base + 256; k++)
          if (zeroBits(sha256(enc.encode(challenge + ':' + k)), difficulty)) return String(k);
        if (base % 8192 === 0) await new Promise(function (r) { setTimeout(r, 0); });
        continue;
      }
      var batch = [];
      for (var n = base; n < base + 256; n++)
        batch.push(crypto.subtle.digest('SHA-256', enc.encode(challenge + ':' + n)));
      var digests = await Promise.all(batch);
      for (var j = 0; j < digests.length; j++)
        if (zeroBits(new Uint8Array(digests[j]), difficulty)) return String(base + j);
    }
  }
  function checked(name) {
    var el = document.querySelector('input[name="' + name + '"]:checked');
    return el ? el.value : undefined;
  }

  function formPage() {
    var form = document.getElementById('dsar-form');
    var phoneRow = document.getElementById('phone-row');
    form.addEventListener('change', function () {
      if (phoneRow) phoneRow.hidden = checked('verifyBy') !== 'sms';
    });
    form.addEventListener('submit', async function (e) {
      e.preventDefault();
      var button = document.getElementById('submit');
      button.disabled = true;
      say('working');
      try {
        var ch = await fetch(api + '/challenge', { credentials: 'omit', cache: 'no-store' });
        if (!ch.ok) throw new Error('challenge');
        var c = await ch.json();
        var body = {
          type: checked('type') || 'access',
          email: document.getElementById('email').value.trim(),
          challenge: c.challenge,
          nonce: await solve(c.challenge, c.difficulty),
          locale: locale,
        };
        var details = document.getElementById('details').value.trim();
        if (details) body.details = details;
        var website = document.getElementById('website').value;
        if (website) body.website = website;
        if (checked('verifyBy') === 'sms') {
          body.verifyBy = 'sms';
          body.phone = document.getElementById('phone').value.trim();
        }
        var r = await post('', body);
        if (r.status !== 202) throw new Error('submit');
        var token = (await r.json()).statusToken;
        var link = document.getElementById('status-link');
        link.href = link.getAttribute('href') + '#' + token;
        form.hidden = true;
        document.getElementById('filed').hidden = false;
        document.getElementById('filed-heading').focus();
        message.textContent = '';
      } catch (err) {
        say('failed');
        button.disabled = false;
      }
    });
  }

  function statusPage() {
    var token = location.hash.slice(1);
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) {
      document.getElementById('no-token').hidden = false;
      return;
    }
    // The language links keep the token in the fragment.
    document.querySelectorAll('a.lang').forEach(function (a) { a.href = a.getAttribute('href') + '#' + token; });
    function date(iso) {
      return new Date(iso).toLocaleDateString(locale, { year: 'numeric', month: 'long', day: 'numeric' });
    }
    function show(s) {
      document.getElementById('status').hidden = false;
      document.getElementById('f-type').textContent = words['type_' + s.type] || s.type;
      var st = document.getElementById('f-state');
      st.textContent = words['s_' + s.state] || s.state;
      st.dataset.state = s.state;
      document.getElementById('f-received').textContent = date(s.receivedAt);
      document.getElementById('f-due').textContent = date(s.dueAt);
      document.getElementById('f-extended').textContent = s.extended ? words.yes : words.no;
      document.getElementById('verify-form').hidden = s.state !== 'unverified';
      document.getElementById('download').hidden = !s.downloadAvailable;
    }
    async function refresh() {
      var r = await post('/status', { token: token });
      if (r.status === 404) { say('unknown'); return; }
      if (!r.ok) { say('failed'); return; }
      show(await r.json());
    }
    document.getElementById('verify-form').addEventListener('submit', async function (e) {
      e.preventDefault();
      var r = await post('/verify', { token: token, code: document.getElementById('code').value.trim() });
      if (r.ok) { show(await r.json()); say('confirmed'); } else say(r.status === 400 ? 'codeWrong' : 'failed');
    });
    function resend() {
      post('/code', { token: token }).then(function (r) { say(r.ok ? 'codeSent' : 'failed'); });
    }
    document.getElementById('resend').addEventListener('click', resend);
    document.getElementById('download-resend').addEventListener('click', resend);
    document.getElementById('download-form').addEventListener('submit', async function (e) {
      e.preventDefault();
      var code = document.getElementById('download-code').value.trim();
      var r = await post('/download', { token: token, code: code });
      if (!r.ok) { say(r.status === 400 ? 'codeWrong' : 'failed'); return; }
      var url = URL.createObjectURL(await r.blob());
      var a = document.createElement('a');
      a.href = url;
      a.download = 'privacy-export.json';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
      say('downloaded');
    });
    refresh();
  }

  if (main.dataset.page === 'form') formPage();
  else statusPage();
})();
`;

export const PAGE_CSS = `:root { color-scheme: light; font-family: system-ui, sans-serif; }
body { margin: 0; background: #f4f5f7; color: #1b1f24; line-height: 1.5; }
nav { max-width: 40rem; margin: 0 auto; padding: 0.75rem 1rem; text-align: right; }
nav a { color: #1d4ed8; margin-left: 0.5rem; }
nav a[aria-current] { font-weight: 700; text-decoration: none; color: #1b1f24; }
main { max-width: 40rem; margin: 0 auto 3rem; background: #fff; padding: 1.5rem 2rem; border-radius: 8px;
  box-shadow: 0 1px 3px rgba(0, 0, 0, 0.12); }
h1 { font-size: 1.5rem; margin-top: 0; }
fieldset { border: 1px solid #c9ced6; border-radius: 6px; margin: 0 0 1rem; padding: 0.5rem 1rem; }
legend { font-weight: 600; padding: 0 0.25rem; }
.choice { margin: 0.25rem 0; }
label { display: inline-block; font-weight: 600; margin: 0.5rem 0 0.25rem; }
.choice label { font-weight: 400; margin: 0 0 0 0.4rem; }
input[type=email], input[type=tel], input[inputmode=numeric], textarea { display: block; width: 100%;
  box-sizing: border-box; padding: 0.5rem; border: 1px solid #6b7280; border-radius: 4px; font: inherit; }
.hint { color: #4b5563; font-size: 0.9rem; margin: 0.25rem 0 1rem; }
button { margin-top: 1rem; padding: 0.55rem 1.1rem; border: 0; border-radius: 4px; background: #1d4ed8;
  color: #fff; font: inherit; cursor: pointer; }
button.secondary { background: #fff; color: #1d4ed8; border: 1px solid #1d4ed8; margin-left: 0.5rem; }
button:disabled { background: #6b7280; }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.hp { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
#message { min-height: 1.5rem; font-weight: 600; }
`;

export const PAGE_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M8 1l6 2.5v4C14 11 11.5 14 8 15 4.5 14 2 11 2 7.5v-4z" fill="#1d4ed8"/></svg>`;
