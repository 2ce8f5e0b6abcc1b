// The audit queue: every event gets the device's next sequence number and waits, encrypted
// (AES-GCM, a non-extractable key created at pairing and kept in IndexedDB) in
// chrome.storage.local, until Vigil has acknowledged it. Sent in order; survives worker restarts
// and outages; Vigil drops replays by sequence number and records gaps.
import { keyStore } from './keys.js';

const BATCH = 50;
let chain = Promise.resolve();
const serial = (fn) => {
  const run = chain.then(fn, fn);
  chain = run.catch(() => {});
  return run;
};

const load = async () => (await chrome.storage.local.get('queue')).queue ?? null;
const save = (queue) => chrome.storage.local.set({ queue });
const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)));
const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** A fresh queue for a newly paired device (sequence restarts at 1, new key). */
export async function resetQueue(deviceId) {
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ]);
  await keyStore('readwrite', (s) => s.put(key, 'queue'));
  await serial(() => save({ deviceId, seq: 0, items: [] }));
}

export function enqueue(event) {
  return serial(async () => {
    const q = await load();
    const key = await keyStore('readonly', (s) => s.get('queue'));
    if (!q || !key) return;
    const seq = q.seq + 1;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = new TextEncoder().encode(JSON.stringify({ ...event, seq }));
    const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plain);
    await save({ ...q, seq, items: [...q.items, { seq, iv: b64(iv), ct: b64(ct) }] });
  });
}

/** Sends what is queued, oldest first; stops at the first failure and keeps the rest. */
export function flush(send) {
  return serial(async () => {
    const key = await keyStore('readonly', (s) => s.get('queue'));
    for (;;) {
      const q = await load();
      if (!q || !key || q.items.length === 0) return;
      const batch = q.items.slice(0, BATCH);
      const events = [];
      for (const it of batch) {
        const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(it.iv) }, key, unb64(it.ct));
        events.push(JSON.parse(new TextDecoder().decode(plain)));
      }
      await send(events);
      const sent = new Set(batch.map((b) => b.seq));
      const now = await load();
      await save({ ...now, items: now.items.filter((i) => !sent.has(i.seq)) });
    }
  });
}

export async function pending() {
  return (await load())?.items.length ?? 0;
}
