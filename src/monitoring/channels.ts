// A tenant's alert notification channels: e-mail to the security team over the outbound SMTP
// relay, or an HMAC-signed webhook, each for alerts at or above its minimum severity. Recipients,
// URL and secret are sealed under the tenant's data key; views never show the secret. Changes
// are audited in their transaction. New alerts become delivery rows (see deliveries.ts).
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Keyring } from '../crypto/keyring.ts';
import { registerEncryptedColumn } from '../crypto/registry.ts';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import { notFound, VigilError } from '../platform/errors.ts';
import type { AlertView } from './alerts.ts';
import { SEVERITIES, type Severity } from './types.ts';

registerEncryptedColumn({ table: 'alert_channels', column: 'target_enc' });
registerEncryptedColumn({ table: 'alert_channels', column: 'secret_enc' });

export type ChannelInput =
  | { kind: 'email'; to: string[]; minSeverity: Severity }
  | { kind: 'webhook'; url: string; secret: string; minSeverity: Severity };

export interface ChannelView {
  id: string;
  kind: 'email' | 'webhook';
  minSeverity: Severity;
  to?: string[];
  url?: string;
  deliveries: { pending: number; delivered: number; failed: number };
  lastError: string | null;
  createdAt: string;
}

export interface ChannelTarget {
  id: string;
  tenantId: string;
  kind: 'email' | 'webhook';
  to: string[];
  url: string;
  secret: string;
}

interface ChannelRow {
  id: string;
  tenant_id: string;
  kind: 'email' | 'webhook';
  min_severity: Severity;
  target_enc: Uint8Array;
  secret_enc: Uint8Array | null;
  created_at: Date | string;
}

const field = (tenantId: string, id: string, column: 'target_enc' | 'secret_enc') => ({
  tenantId,
  table: 'alert_channels',
  column,
  rowId: id,
});

/** Severities from `min` upwards, for the SQL that picks the channels an alert goes to. */
const fromSeverity = (s: Severity) => SEVERITIES.slice(0, SEVERITIES.indexOf(s) + 1);

export function createAlertChannels(deps: {
  db: Database;
  keyring: Pick<Keyring, 'encryptField' | 'decryptFieldText'>;
  audit: AuditRecorder;
  /** Checked before a webhook URL is stored (public targets only, unless configured otherwise). */
  guardUrl?: (url: string) => Promise<void>;
  /** False when no outbound SMTP relay is configured: e-mail channels are refused. */
  canMail: boolean;
  /** Wakes the delivery worker. */
  onEnqueued?: () => void;
}) {
  const { db, keyring, audit } = deps;

  /** The decrypted target of a channel (for the delivery worker, inside the tenant's transaction). */
  async function targetOf(tx: Tx, r: ChannelRow): Promise<ChannelTarget> {
    const target = await keyring.decryptFieldText(
      field(r.tenant_id, r.id, 'target_enc'),
      Buffer.from(r.target_enc),
      tx,
    );
    const secret = r.secret_enc
      ? await keyring.decryptFieldText(field(r.tenant_id, r.id, 'secret_enc'), Buffer.from(r.secret_enc), tx)
      : '';
    return r.kind === 'email'
      ? {
          id: r.id,
          tenantId: r.tenant_id,
          kind: 'email',
          to: JSON.parse(target) as string[],
          url: '',
          secret,
        }
      : { id: r.id, tenantId: r.tenant_id, kind: 'webhook', to: [], url: target, secret };
  }

  async function view(tx: Tx, r: ChannelRow): Promise<ChannelView> {
    const t = await targetOf(tx, r);
    const counts = await rows<{ state: string; n: number; last_error: string | null }>(
      tx,
      sql`select state, count(*)::int as n, max(last_error) as last_error from alert_deliveries
          where channel_id = ${r.id} group by state`,
    );
    const n = (s: string) => counts.find((c) => c.state === s)?.n ?? 0;
    return {
      id: r.id,
      kind: r.kind,
      minSeverity: r.min_severity,
      ...(r.kind === 'email' ? { to: t.to } : { url: t.url }),
      deliveries: { pending: n('pending'), delivered: n('delivered'), failed: n('failed') },
      lastError: counts.find((c) => c.last_error)?.last_error ?? null,
      createdAt: new Date(r.created_at).toISOString(),
    };
  }

  const selectRows = (tx: Tx, id?: string) =>
    rows<ChannelRow>(
      tx,
      sql`select id, tenant_id, kind, min_severity, target_enc, secret_enc, created_at from alert_channels
          ${id ? sql`where id = ${id}` : sql``} order by created_at, id`,
    );

  async function list(ctx: TenantContext): Promise<ChannelView[]> {
    const out = await db.withTenant(ctx.tenant.id, async (tx) => {
      const views = [];
      for (const r of await selectRows(tx)) views.push(await view(tx, r));
      return views;
    });
    await audit.standalone(
      userAction(ctx, 'alert_channel.read', 'alert_channel', null, { count: out.length }),
    );
    return out;
  }

  async function create(ctx: TenantContext, input: ChannelInput): Promise<ChannelView> {
    if (input.kind === 'email' && !deps.canMail)
      throw new VigilError('conflict', 'no outbound SMTP relay is configured (SMTP_RELAY_URL)');
    if (input.kind === 'webhook') await deps.guardUrl?.(input.url);
    const tenantId = ctx.tenant.id;
    const id = randomUUID();
    return db.withTenant(tenantId, async (tx) => {
      const target = input.kind === 'email' ? JSON.stringify(input.to) : input.url;
      const targetEnc = await keyring.encryptField(field(tenantId, id, 'target_enc'), target, tx);
      const secretEnc =
        input.kind === 'webhook'
          ? await keyring.encryptField(field(tenantId, id, 'secret_enc'), input.secret, tx)
          : null;
      await tx.execute(sql`insert into alert_channels (id, tenant_id, kind, min_severity, target_enc, secret_enc, created_by)
        values (${id}, ${tenantId}, ${input.kind}, ${input.minSeverity}, ${targetEnc}, ${secretEnc}, ${ctx.actor.id})`);
      await audit.inTx(
        tx,
        userAction(ctx, 'alert_channel.create', 'alert_channel', id, {
          kind: input.kind,
          minSeverity: input.minSeverity,
        }),
      );
      return view(tx, (await selectRows(tx, id))[0]!);
    });
  }

  async function remove(ctx: TenantContext, id: string): Promise<void> {
    await db.withTenant(ctx.tenant.id, async (tx) => {
      if (!(await selectRows(tx, id)).length) throw notFound('alert channel');
      await tx.execute(sql`delete from alert_channels where id = ${id}`);
      await audit.inTx(tx, userAction(ctx, 'alert_channel.delete', 'alert_channel', id));
    });
  }

  /** One delivery per channel that takes this alert's severity; the worker sends them. */
  async function enqueue(alert: AlertView): Promise<number> {
    if (!alert.tenantId) return 0;
    const tenantId = alert.tenantId;
    const severities = fromSeverity(alert.severity);
    const n = await db.withTenant(tenantId, async (tx) => {
      const r = await rows<{ n: number }>(
        tx,
        sql`with d as (insert into alert_deliveries (tenant_id, channel_id, alert_id, alert)
              select tenant_id, id, ${alert.id}, ${JSON.stringify(alert)}::jsonb from alert_channels
              where min_severity in (${sql.join(
                severities.map((s) => sql`${s}`),
                sql`, `,
              )})
              on conflict (channel_id, alert_id) do nothing returning 1)
            select count(*)::int as n from d`,
      );
      return r[0]?.n ?? 0;
    });
    if (n > 0) deps.onEnqueued?.();
    return n;
  }

  return { list, create, remove, enqueue, targetOf };
}

export type AlertChannels = ReturnType<typeof createAlertChannels>;
export type { ChannelRow };
