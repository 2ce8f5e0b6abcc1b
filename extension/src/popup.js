// Pairing UI: the agent signs in to Vigil (password + MFA there), opens the Cockpit page, gets a
// one-time pairing code and enters it here. The password never reaches the extension.
const status = document.getElementById('status');
const form = document.getElementById('pair');
const signout = document.getElementById('signout');

async function refresh() {
  const s = await chrome.runtime.sendMessage({ type: 'status' });
  status.textContent = !s.paired
    ? 'Not paired'
    : s.locked
      ? 'Paired, Vigil unreachable: client tools locked'
      : `Paired${s.connected ? ', connected' : ''}${s.managed ? ' (managed browser)' : ''}`;
  status.dataset.paired = String(s.paired);
  status.dataset.locked = String(!!s.locked);
  form.hidden = s.paired;
  signout.hidden = !s.paired;
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const code = document.getElementById('code').value.trim();
  const r = await chrome.runtime.sendMessage({ type: 'pair', code });
  if (!r?.ok) status.textContent = `Pairing failed (${r?.error ?? 'no answer'})`;
  else await refresh();
});
signout.addEventListener('click', async () => {
  await chrome.runtime.sendMessage({ type: 'signout' });
  await refresh();
});
void refresh();
