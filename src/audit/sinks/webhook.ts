// HTTP(S) webhook sink: POSTs {tenant, format, events} with an HMAC-SHA256 signature over
// `${timestamp}.${body}` in `x-vigil-signature: sha256=<hex>` (timestamp in x-vigil-timestamp),
// so the receiver can authenticate the sender and reject replays. One attempt per call; the
// exporter owns retry and back-off. Events are OCSF unless another format is configured.
import { createHmac } from 'node:crypto';
import { formatEvent, type SinkFormat } from '../formats.ts';
import type { AuditEvent } from '../types.ts';
import type { AuditSink } from './types.ts';

export interface WebhookSinkOptions {
  id: string;
  url: string;
  secret: string;
  timeoutMs?: number;
  format?: SinkFormat;
  /** Only this chain (a tenant's own sink); default every chain. */
  chain?: string;
  /** Checked before each request (e.g. the target must not resolve to a private address). */
  guard?: (url: string) => Promise<void>;
}

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** One signed POST; throws unless the receiver answers 2xx. */
export async function postWebhook(
  o: WebhookSinkOptions,
  tenantId: string | null,
  events: AuditEvent[],
): Promise<number> {
  const format = o.format ?? 'ocsf';
  await o.guard?.(o.url);
  const body = JSON.stringify({
    tenant: tenantId ?? 'platform',
    format,
    events: events.map((e) => formatEvent(format, e)),
  });
  const ts = String(Math.floor(Date.now() / 1000));
  const res = await fetch(o.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-vigil-timestamp': ts,
      'x-vigil-signature': signWebhook(o.secret, ts, body),
    },
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
  });
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new Error(`webhook responded ${res.status}`);
  return res.status;
}

export function createWebhookSink(o: WebhookSinkOptions): AuditSink {
  return {
    id: o.id,
    ...(o.chain ? { chain: o.chain } : {}),
    async deliver(tenantId, events) {
      await postWebhook(o, tenantId, events);
    },
  };
}
