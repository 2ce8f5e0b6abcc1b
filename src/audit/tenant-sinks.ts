// Per-tenant SIEM sinks: a tenant's security officer or admin configures webhooks (URL, HMAC
// secret sealed under the tenant's data key, format OCSF/CEF/JSON, enabled) that receive only
// that tenant's audit chain. Every change is audited in the same transaction. Delivery state is
// the sink's cursor in audit_sink_cursors ('tenant-sink:<id>'), so delivery is at-least-once,
// in order and resumes where it stopped (see tenant-sink-exporter.ts).
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Keyring } from '../crypto/keyring.ts';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, pgErrorOf, rows, type Tx } from '../platform/db.ts';
import { notFound, VigilError } from '../platform/errors.ts';
import { assertPublicAddress } from '../platform/public-address.ts';
import type { SinkFormat } from './formats.ts';
import { postWebhook } from './sinks/webhook.ts';
import type { AuditEvent } from './types.ts';

export const tenantSinkId = (id: string) => `tenant-sink:${id}`;
export const secretField = (tenantId: string, sinkId: string) => ({
  tenantId,
  table: 'audit_tenant_sinks',
  column: 'secret_enc',
  rowId: sinkId,
});

export interface TenantSinkView {
  id: string;
  name: string;
  url: string;
  format: SinkFormat;
  enabled: boolean;
  failures: number;
  lastError: string | null;
  lastDeliveryAt: string | null;
  /** Last seq delivered, and the chain's head: the difference is the sink's lag. */
  deliveredSeq: number;
  headSeq: number;
  createdAt: string;
}

export interface SinkInput {
  name: string;
  url: string;
  secret: string;
  format: SinkFormat;
  enabled?: boolean;
}

export type SinkPatch = Partial<Omit<SinkInput, 'name'>>;

/** Refuses webhook targets that resolve to loopback, private, link-local or other non-public addresses. */
export const assertPublicTarget = (url: string): Promise<void> => assertPublicAddress(url, 'webhook');

interface SinkRow {
  id: string;
  name: string;
  url: string;
  format: SinkFormat;
  enabled: boolean;
  failures: number;
  last_error: string | null;
  last_delivery_at: string | null;
  created_at: string;
}

const COLUMNS = sql.raw(
  `id::text as id, name, url, format, enabled, failures, last_error, to_char(last_delivery_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as last_delivery_at, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at`,
);

export function createTenantSinkService(deps: {
  db: Database;
  keyring: Pick<Keyring, 'encryptField' | 'decryptFieldText'>;
  audit: AuditRecorder;
  allowPrivateTargets?: boolean;
}) {
  const { db, keyring, audit } = deps;
  const guard = deps.allowPrivateTargets ? undefined : assertPublicTarget;

  async function views(ctx: TenantContext, list: SinkRow[]): Promise<TenantSinkView[]> {
    if (list.length === 0) return [];
    const tenantId = ctx.tenant.id;
    // Cursors are maintenance state (owner-only); only the ids of this tenant's sinks are asked for.
    const progress = await db.withOwner(async (tx) => {
      const cur = await rows<{ sink_id: string; last_seq: number | string }>(
        tx,
        sql`select sink_id, last_seq from audit_sink_cursors where chain = ${tenantId}::uuid and sink_id in (${sql.join(
          list.map((s) => sql`${tenantSinkId(s.id)}`),
          sql`, `,
        )})`,
      );
      const [head] = await rows<{ last_seq: number | string }>(
        tx,
        sql`select last_seq from audit_heads where chain = ${tenantId}::uuid`,
      );
      return {
        cur: new Map(cur.map((c) => [c.sink_id, Number(c.last_seq)])),
        head: Number(head?.last_seq ?? 0),
      };
    });
    return list.map((s) => ({
      id: s.id,
      name: s.name,
      url: s.url,
      format: s.format,
      enabled: s.enabled,
      failures: s.failures,
      lastError: s.last_error,
      lastDeliveryAt: s.last_delivery_at,
      deliveredSeq: progress.cur.get(tenantSinkId(s.id)) ?? 0,
      headSeq: progress.head,
      createdAt: s.created_at,
    }));
  }

  const one = async (tx: Tx, id: string) => {
    const [r] = await rows<SinkRow>(
      tx,
      sql`select ${COLUMNS} from audit_tenant_sinks where id = ${id}::uuid`,
    );
    if (!r) throw notFound('audit sink');
    return r;
  };

  return {
    async list(ctx: TenantContext): Promise<TenantSinkView[]> {
      const list = await db.withTenant(ctx.tenant.id, (tx) =>
        rows<SinkRow>(tx, sql`select ${COLUMNS} from audit_tenant_sinks order by name`),
      );
      await audit.standalone(userAction(ctx, 'audit_sink.read', 'audit_sink', null, { count: list.length }));
      return views(ctx, list);
    },

    async create(ctx: TenantContext, input: SinkInput): Promise<TenantSinkView> {
      await guard?.(input.url);
      const id = randomUUID();
      const tenantId = ctx.tenant.id;
      try {
        const row = await db.withTenant(tenantId, async (tx) => {
          const secret = await keyring.encryptField(secretField(tenantId, id), input.secret, tx);
          await tx.execute(sql`insert into audit_tenant_sinks (id, tenant_id, name, url, secret_enc, format, enabled, created_by)
            values (${id}::uuid, ${tenantId}::uuid, ${input.name}, ${input.url}, ${secret}, ${input.format}, ${input.enabled ?? true}, ${ctx.actor.id})`);
          await audit.inTx(
            tx,
            userAction(ctx, 'audit_sink.create', 'audit_sink', id, {
              format: input.format,
              enabled: input.enabled ?? true,
            }),
          );
          return one(tx, id);
        });
        return (await views(ctx, [row]))[0] as TenantSinkView;
      } catch (e) {
        if (pgErrorOf(e).code === '23505')
          throw new VigilError('conflict', 'an audit sink with this name exists');
        throw e;
      }
    },

    async update(ctx: TenantContext, id: string, patch: SinkPatch): Promise<TenantSinkView> {
      if (patch.url) await guard?.(patch.url);
      const tenantId = ctx.tenant.id;
      const row = await db.withTenant(tenantId, async (tx) => {
        await one(tx, id);
        const secret = patch.secret
          ? await keyring.encryptField(secretField(tenantId, id), patch.secret, tx)
          : null;
        await tx.execute(sql`update audit_tenant_sinks set
            url = coalesce(${patch.url ?? null}, url),
            format = coalesce(${patch.format ?? null}, format),
            enabled = coalesce(${patch.enabled ?? null}::boolean, enabled),
            secret_enc = coalesce(${secret}, secret_enc),
            failures = case when ${patch.enabled ?? null}::boolean then 0 else failures end,
            updated_at = now()
          where id = ${id}::uuid`);
        const changed = Object.keys(patch).filter((k) => k !== 'secret');
        await audit.inTx(
          tx,
          userAction(ctx, 'audit_sink.update', 'audit_sink', id, {
            fields: changed.join(','),
            secretRotated: !!patch.secret,
          }),
        );
        return one(tx, id);
      });
      return (await views(ctx, [row]))[0] as TenantSinkView;
    },

    async remove(ctx: TenantContext, id: string): Promise<void> {
      await db.withTenant(ctx.tenant.id, async (tx) => {
        await one(tx, id);
        await tx.execute(sql`delete from audit_tenant_sinks where id = ${id}::uuid`);
        await audit.inTx(tx, userAction(ctx, 'audit_sink.delete', 'audit_sink', id));
      });
      await db.withOwner((tx) =>
        tx.execute(sql`delete from audit_sink_cursors where sink_id = ${tenantSinkId(id)}`),
      );
    },

    /** Sends one synthetic event (seq 0, not part of the log) to the sink, once, and reports the outcome. */
    async test(
      ctx: TenantContext,
      id: string,
    ): Promise<{ delivered: boolean; status?: number; error?: string }> {
      const tenantId = ctx.tenant.id;
      const s = await db.withTenant(tenantId, async (tx) => {
        const [r] = await rows<{ url: string; format: SinkFormat; secret_enc: Uint8Array }>(
          tx,
          sql`select url, format, secret_enc from audit_tenant_sinks where id = ${id}::uuid`,
        );
        if (!r) throw notFound('audit sink');
        return {
          ...r,
          secret: await keyring.decryptFieldText(secretField(tenantId, id), Buffer.from(r.secret_enc), tx),
        };
      });
      const event: AuditEvent = {
        tenantId,
        seq: 0,
        time: new Date().toISOString(),
        actorType: 'user',
        actorId: ctx.actor.id,
        action: 'audit_sink.test',
        resourceType: 'audit_sink',
        resourceId: id,
        outcome: 'success',
        reason: null,
        ip: null,
        uaHash: null,
        requestId: ctx.requestId,
        meta: { test: true },
        prevHash: '0'.repeat(64),
        hash: '0'.repeat(64),
      };
      let result: { delivered: boolean; status?: number; error?: string };
      try {
        const status = await postWebhook(
          {
            id,
            url: s.url,
            secret: s.secret,
            format: s.format,
            timeoutMs: 5000,
            ...(guard ? { guard } : {}),
          },
          tenantId,
          [event],
        );
        result = { delivered: true, status };
      } catch (e) {
        result = { delivered: false, error: deliveryError(e) };
      }
      await audit.standalone({
        ...userAction(ctx, 'audit_sink.test', 'audit_sink', id, { delivered: result.delivered }),
        outcome: result.delivered ? 'success' : 'failure',
      });
      return result;
    },
  };
}

export type TenantSinkService = ReturnType<typeof createTenantSinkService>;

/** A short, data-free description of a delivery failure (status code or error kind). */
export function deliveryError(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  if (/^webhook responded \d{3}$/.test(m)) return m;
  if (e instanceof VigilError) return e.message;
  if ((e as Error)?.name === 'TimeoutError') return 'timeout';
  return 'connection failed';
}
