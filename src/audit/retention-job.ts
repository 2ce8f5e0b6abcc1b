// Scheduled retention of audit events: each chain keeps its tenant's retention (days, from
// audit_retention_settings; default 365; the platform chain always the default). The purge
// never goes past an event a SIEM sink has not received yet: the cut is capped at the lowest
// delivery cursor of the chain's enabled sinks (the tenant's own and the process-wide ones), so
// at-least-once delivery holds across purges. Each purge writes a signed anchor and checkpoint
// (retention.ts), so verification passes across it. Safe to run on several nodes at once: a
// purge locks the chain head.
import { sql } from 'drizzle-orm';
import { type Database, rows } from '../platform/db.ts';
import { purgeAuditEvents } from './retention.ts';
import { tenantSinkId } from './tenant-sinks.ts';
import { type AuditSigner, ZERO_CHAIN } from './types.ts';

export const DEFAULT_RETENTION_DAYS = 365;
const DAY_MS = 86_400_000;

export interface RetentionRun {
  tenantId: string | null;
  deleted: number;
  anchorSeq: number;
  /** True when a sink's delivery cursor held the cut back. */
  heldBySink: boolean;
}

export async function runAuditRetention(
  db: Database,
  signer: AuditSigner,
  opts: { now?: Date; globalSinkIds?: string[]; defaultDays?: number } = {},
): Promise<RetentionRun[]> {
  const now = opts.now ?? new Date();
  const chains = await db.withOwner((tx) =>
    rows<{ chain: string; tenant_id: string | null; last_seq: number | string; days: number | null }>(
      tx,
      sql`select h.chain::text as chain, h.tenant_id::text as tenant_id, h.last_seq, r.days
          from audit_heads h left join audit_retention_settings r on r.tenant_id = h.tenant_id order by h.chain`,
    ),
  );
  const out: RetentionRun[] = [];
  for (const c of chains) {
    const tenantId = c.chain === ZERO_CHAIN ? null : c.tenant_id;
    const days = c.days ?? opts.defaultDays ?? DEFAULT_RETENTION_DAYS;
    const sinkIds = [...(opts.globalSinkIds ?? [])];
    if (tenantId) {
      const own = await db.withOwner((tx) =>
        rows<{ id: string }>(
          tx,
          sql`select id::text as id from audit_tenant_sinks where tenant_id = ${tenantId}::uuid and enabled`,
        ),
      );
      sinkIds.push(...own.map((s) => tenantSinkId(s.id)));
    }
    let maxSeq = Number.MAX_SAFE_INTEGER;
    if (sinkIds.length > 0) {
      const [m] = await db.withOwner((tx) =>
        rows<{ m: number | string | null }>(
          tx,
          sql`select min(coalesce(c.last_seq, 0)) as m from (values ${sql.join(
            sinkIds.map((id) => sql`(${id})`),
            sql`, `,
          )}) as s(id) left join audit_sink_cursors c on c.sink_id = s.id and c.chain = ${c.chain}::uuid`,
        ),
      );
      maxSeq = Number(m?.m ?? 0);
    }
    const before = new Date(now.getTime() - days * DAY_MS);
    const r = await purgeAuditEvents(db, tenantId, before, signer, () => now, maxSeq);
    out.push({
      tenantId,
      deleted: r.deleted,
      anchorSeq: r.anchorSeq,
      heldBySink: maxSeq < Number(c.last_seq),
    });
  }
  return out;
}

/** Runs retention every `intervalMs` (first run after one interval); returns a stop function. */
export function scheduleAuditRetention(
  db: Database,
  signer: AuditSigner,
  intervalMs: number,
  opts: { globalSinkIds?: string[]; onError?: (e: unknown) => void } = {},
): () => void {
  let running = false;
  const t = setInterval(() => {
    if (running) return;
    running = true;
    runAuditRetention(db, signer, { globalSinkIds: opts.globalSinkIds ?? [] })
      .catch((e) => opts.onError?.(e))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  t.unref();
  return () => clearInterval(t);
}
