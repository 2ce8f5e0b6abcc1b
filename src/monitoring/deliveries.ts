// Delivers queued alert notifications: claims due rows (any node; a claim pushes the row's next
// attempt out, so two nodes never send the same attempt), sends the e-mail through the relay or
// the signed webhook, and retries failures with exponential backoff until maxAttempts. At least
// once: a receiver may see an alert twice after a crash, keyed by the alert id in the payload.
import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type { Database } from '../platform/db.ts';
import { rows } from '../platform/db.ts';
import { type AlertLocale, alertLocale } from './alert-text.ts';
import type { AlertView } from './alerts.ts';
import type { AlertChannels, ChannelRow } from './channels.ts';
import { alertMail, type FetchLike, postAlertWebhook } from './notify.ts';

export interface AlertDeliveryOptions {
  db: Database;
  channels: Pick<AlertChannels, 'targetOf'>;
  /** Outbound SMTP relay (SMTP_RELAY_URL); without it e-mail deliveries fail. */
  relayUrl?: string | undefined;
  /** Sender address of alert e-mails. */
  from: string;
  consoleUrl?: string | undefined;
  /** First retry delay; doubles per attempt, at most an hour. */
  retryBaseMs: number;
  maxAttempts?: number;
  /** Checked before each webhook request (public targets only, unless configured otherwise). */
  guardUrl?: (url: string) => Promise<void>;
  pollMs?: number;
  onError?: (e: unknown, where: string) => void;
  /** The stored console language of those addresses that belong to a tenant member. */
  localesOf?: (tenantId: string, emails: string[]) => Promise<Map<string, string>>;
}

interface Claimed extends ChannelRow {
  delivery_id: string;
  alert: AlertView;
  attempts: number;
}

const CLAIM_MS = 60_000;

const errorCode = (e: unknown): string => {
  const x = e as { responseCode?: number; code?: string; message?: string };
  if (x.responseCode) return `smtp_${x.responseCode}`;
  const m = /webhook status (\d+)/.exec(x.message ?? '');
  if (m) return `http_${m[1]}`;
  return (x.code ?? 'delivery_error')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40);
};

export function createAlertDeliveries(o: AlertDeliveryOptions) {
  const maxAttempts = o.maxAttempts ?? 8;
  const transport = o.relayUrl
    ? nodemailer.createTransport(o.relayUrl, {
        connectionTimeout: 3000,
        greetingTimeout: 3000,
        socketTimeout: 5000,
      } as never)
    : null;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | null = null;
  let again = false;
  let stopped = true;

  /** One mail per language among the channel's addresses (English for non-members). */
  async function byLocale(tenantId: string, to: string[]): Promise<Map<AlertLocale, string[]>> {
    const known = o.localesOf ? await o.localesOf(tenantId, to) : new Map<string, string>();
    const groups = new Map<AlertLocale, string[]>();
    for (const a of to) {
      const l = alertLocale(known.get(a.toLowerCase()));
      groups.set(l, [...(groups.get(l) ?? []), a]);
    }
    return groups;
  }

  /** Claims due deliveries with their channel's decrypted target, across tenants. */
  const claim = () =>
    o.db.withOwner(async (tx) => {
      const due = await rows<Claimed>(
        tx,
        sql`update alert_deliveries d set attempts = d.attempts + 1,
              next_attempt_at = now() + ${CLAIM_MS} * interval '1 millisecond'
            from alert_channels c
            where c.id = d.channel_id and d.id in (
              select id from alert_deliveries where state = 'pending' and next_attempt_at <= now()
              order by next_attempt_at limit 20 for update skip locked)
            returning d.id as delivery_id, d.alert, d.attempts, c.id, c.tenant_id, c.kind, c.min_severity,
              c.target_enc, c.secret_enc, c.created_at`,
      );
      const out = [];
      for (const r of due) out.push({ r, target: await o.channels.targetOf(tx, r) });
      return out;
    });

  async function sendOne(c: Awaited<ReturnType<typeof claim>>[number]): Promise<void> {
    const { r, target } = c;
    let error: string | null = null;
    try {
      if (target.kind === 'email') {
        if (!transport) throw Object.assign(new Error('no relay'), { code: 'no_relay' });
        for (const [locale, to] of await byLocale(r.tenant_id, target.to)) {
          const mail = alertMail(r.alert, to, o.consoleUrl, locale);
          await transport.sendMail({ from: o.from, to: mail.to, subject: mail.subject, text: mail.text });
        }
      } else {
        await o.guardUrl?.(target.url);
        await postAlertWebhook(globalThis.fetch as unknown as FetchLike, target, r.alert, Date.now());
      }
    } catch (e) {
      error = errorCode(e);
    }
    const delayMs = Math.min(o.retryBaseMs * 2 ** (r.attempts - 1), 3600_000);
    await o.db.withTenant(r.tenant_id, (tx) =>
      tx.execute(
        error === null
          ? sql`update alert_deliveries set state = 'delivered', delivered_at = now(), last_error = null
                where id = ${r.delivery_id}`
          : sql`update alert_deliveries set last_error = ${error},
                state = ${r.attempts >= maxAttempts ? 'failed' : 'pending'},
                next_attempt_at = now() + ${delayMs} * interval '1 millisecond'
                where id = ${r.delivery_id}`,
      ),
    );
  }

  /** Sends everything due now; returns how many attempts were made. */
  async function deliverDue(): Promise<number> {
    let n = 0;
    for (;;) {
      const batch = await claim();
      if (batch.length === 0) return n;
      await Promise.all(batch.map((c) => sendOne(c).catch((e) => o.onError?.(e, 'alert.delivery'))));
      n += batch.length;
    }
  }

  /** Runs deliverDue now (or right after the run in progress). */
  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = deliverDue()
      .catch((e) => {
        o.onError?.(e, 'alert.delivery');
        return 0;
      })
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          kick();
        }
      });
  }

  return {
    kick,
    deliverDue,
    start() {
      stopped = false;
      timer = setInterval(kick, o.pollMs ?? Math.min(o.retryBaseMs, 5000));
      timer.unref();
      kick();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      transport?.close();
    },
  };
}

export type AlertDeliveries = ReturnType<typeof createAlertDeliveries>;
