// HTTP(S) webhook sink: POSTs {events: OCSF[]} with an HMAC-SHA256 signature over
// `${timestamp}.${body}` in `x-vigil-signature: sha256=<hex>` (timestamp in x-vigil-timestamp),
// so the receiver can authenticate the sender and reject replays. One attempt per call; the
// exporter owns retry and back-off.
import { createHmac } from 'node:crypto';
import { toOcsf } from '../ocsf.ts';
import type { AuditSink } from './types.ts';

export interface WebhookSinkOptions {
  id: string;
  url: string;
  secret: string;
  timeoutMs?: number;
}

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function createWebhookSink(o: WebhookSinkOptions): AuditSink {
  return {
    id: o.id,
    async deliver(tenantId, events) {
      const body = JSON.stringify({ tenant: tenantId ?? 'platform', events: events.map(toOcsf) });
      const ts = String(Math.floor(Date.now() / 1000));
      const res = await fetch(o.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-vigil-timestamp': ts, 'x-vigil-signature': signWebhook(o.secret, ts, body) },
        body,
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`webhook responded ${res.status}`);
    },
  };
}
