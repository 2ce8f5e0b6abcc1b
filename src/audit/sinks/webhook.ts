// HTTP(S) webhook sink: POSTs {tenant, format, events} signed like every Vigil webhook
// (platform/webhook-signature.ts), so the receiver can authenticate the sender and reject replays. One attempt per call; the
// exporter owns retry and back-off. Events are OCSF unless another format is configured.
import { webhookSignatureHeaders } from '../../platform/webhook-signature.ts';
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
  const res = await fetch(o.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...webhookSignatureHeaders(o.secret, body, Date.now()) },
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
