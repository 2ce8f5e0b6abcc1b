// Retention of the DSAR intake's personal data (data minimisation, Art. 5(1)(c) and (e)): the
// requester's address, phone and free text serve only to verify, answer and deliver. Once the
// register closed the request (completed or rejected, an access export once its download
// expired), they are purged after `retentionDays`; a completed erasure at once; an intake never
// verified seven days after its code expired. The row stays as the accountability record: type,
// dates, state, channel, outcome and the subject request id. Runs under the leased reminder job,
// with one audit event per tenant and run that carries counts only.
import type { Logger } from 'pino';
import type { AuditEvent } from '../audit/index.ts';
import { systemContext } from '../ingest/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { Database, Tx } from '../platform/db.ts';
import { requestStates } from '../privacy/index.ts';
import { govEvent } from './events.ts';
import * as store from './store-dsar.ts';

export const DEFAULT_INTAKE_RETENTION_DAYS = 30;
/** A code lives 15 minutes; a week later the requester will not come back to that intake. */
export const UNVERIFIED_RETENTION_DAYS = 7;
/** Tries of the at-once purge while the erasure commits (about 9 s in all). */
const ERASURE_TRIES = 8;

export function createDsarRetention(deps: {
  db: Pick<Database, 'withTenant'>;
  audit: AuditRecorder;
  retentionDays?: number | undefined;
  /** The job's clock (tests move it forward instead of waiting). */
  now?: () => Date;
  logger?: Pick<Logger, 'error'>;
}) {
  const { db, audit } = deps;
  const retentionDays = deps.retentionDays ?? DEFAULT_INTAKE_RETENTION_DAYS;
  const clock = deps.now ?? (() => new Date());
  const systemOf = (tenantId: string) => systemContext({ id: tenantId, slug: '', name: '' });

  /** One tenant: notes the register's closures, then purges what is due. Counts only. */
  async function purgeTenant(tenantId: string, now: Date) {
    return db.withTenant(tenantId, async (tx) => {
      const open = await store.selectUnclosed(tx);
      const states = await requestStates(
        tx,
        open.map((r) => r.subject_request_id),
      );
      let closed = 0;
      for (const r of open) {
        const s = states.get(r.subject_request_id);
        if (s !== 'completed' && s !== 'rejected') continue;
        await store.markClosed(tx, r.id, s, now);
        closed++;
      }
      const purged = await store.purgeDue(tx, now, retentionDays, UNVERIFIED_RETENTION_DAYS);
      const counts = {
        closed,
        purged: purged.length,
        expired: purged.filter((p) => p.closed_outcome === 'expired').length,
        erasures: purged.filter((p) => p.type === 'erasure' && p.closed_outcome === 'completed').length,
        retentionDays,
      };
      if (closed || purged.length)
        await audit.inTx(
          tx,
          govEvent(systemOf(tenantId), 'governance.dsar.retention', 'tenant', tenantId, counts),
        );
      return counts;
    });
  }

  /** Every tenant, at the job's clock (or `now`); returns the totals. */
  async function purgeClosed(tenants: Array<{ id: string }>, now = clock()) {
    const total = { closed: 0, purged: 0 };
    for (const t of tenants) {
      const c = await purgeTenant(t.id, now);
      total.closed += c.closed;
      total.purged += c.purged;
    }
    return total;
  }

  /** Whether the register completed the erasure (committed: the audit stream runs inside its tx). */
  const erasureDone = (tx: Tx, requestId: string) =>
    requestStates(tx, [requestId]).then((m) => m.get(requestId) === 'completed');

  /** A completed erasure purges its intake at once (audited like a run, with counts). */
  async function purgeErasure(tenantId: string, subjectRequestId: string, now = clock()) {
    return db.withTenant(tenantId, async (tx) => {
      if (!(await erasureDone(tx, subjectRequestId))) return 0;
      const n = await store.purgeErasure(tx, subjectRequestId, now);
      if (n)
        await audit.inTx(
          tx,
          govEvent(systemOf(tenantId), 'governance.dsar.retention', 'tenant', tenantId, {
            closed: n,
            purged: n,
            expired: 0,
            erasures: n,
            retentionDays,
          }),
        );
      return n;
    });
  }

  /**
   * Listens for erasures in the register. The event is published inside the erasure's
   * transaction, so this waits until the register shows it completed (a rolled-back erasure
   * purges nothing; the hourly run catches whatever this gives up on). `before` tells the
   * requester first: the status mail needs the address the purge removes.
   */
  function onAuditEvent(before: (tenantId: string) => Promise<unknown>) {
    const fail = (tenantId: string) => (err: unknown) =>
      deps.logger?.error(
        { err: { code: (err as { code?: string }).code }, tenantId },
        'dsar erasure purge failed',
      );
    const attempt = async (tenantId: string, requestId: string, n: number): Promise<void> => {
      if (!(await db.withTenant(tenantId, (tx) => erasureDone(tx, requestId)))) {
        if (n < ERASURE_TRIES)
          setTimeout(
            () => void attempt(tenantId, requestId, n + 1).catch(fail(tenantId)),
            200 * (n + 1),
          ).unref();
        return;
      }
      await before(tenantId).catch(fail(tenantId));
      await purgeErasure(tenantId, requestId);
    };
    return (e: AuditEvent) => {
      const requestId = e.meta?.requestId;
      if (e.action !== 'privacy.erasure' || e.outcome !== 'success' || !e.tenantId) return;
      if (typeof requestId !== 'string') return;
      const tenantId = e.tenantId;
      setImmediate(() => void attempt(tenantId, requestId, 0).catch(fail(tenantId)));
    };
  }

  return { purgeClosed, purgeErasure, onAuditEvent, retentionDays };
}

export type DsarRetention = ReturnType<typeof createDsarRetention>;
