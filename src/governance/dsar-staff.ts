// The DPO's side of the DSAR intake: the list with deadlines, what a requester wrote (audited),
// the Art. 12(3) extension with a reason, the fulfilment of an access request (an expiring
// download, never an attachment). Erasure, rectification, restriction and objections are handled
// on their subject request in src/privacy; the requester sees that outcome on the status page.
// Two jobs run under the leased reminder job: deadline reminders to the DPOs and status mails to
// the requesters (state, type and dates only).
import { randomUUID } from 'node:crypto';
import type { Keyring } from '../crypto/index.ts';
import { systemContext } from '../ingest/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database } from '../platform/db.ts';
import { notFound, VigilError } from '../platform/errors.ts';
import { completeRequest, setRequestDeadline } from '../privacy/index.ts';
import { publicStates } from './dsar.ts';
import { field, type IntakeCodes, MAX_FAILURES, sha } from './dsar-codes.ts';
import type { DsarMessages } from './dsar-mail.ts';
import { govEvent, iso } from './events.ts';
import * as store from './store-dsar.ts';

const DOWNLOAD_TTL_SECONDS = 7 * 86_400;

export function createDsarStaff(deps: {
  db: Pick<Database, 'withTenant'>;
  audit: AuditRecorder;
  keyring: Pick<Keyring, 'decryptFieldText'>;
  codes: IntakeCodes;
  messages: DsarMessages;
}) {
  const { db, audit } = deps;
  /** The jobs act as the system, with no request of their own. */
  const systemOf = (tenantId: string) => systemContext({ id: tenantId, slug: '', name: '' });

  async function list(ctx: TenantContext) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const items = await store.selectIntakes(tx);
      const stateOf = await publicStates(tx, items);
      return {
        items: items.map((r) => ({
          id: r.id,
          type: r.type,
          source: r.source,
          verifyChannel: r.verify_channel,
          customerId: r.customer_id,
          subjectRequestId: r.subject_request_id,
          state: stateOf(r),
          receivedAt: iso(r.received_at)!,
          dueAt: iso(r.due_at)!,
          overdue: r.overdue,
          extended: !!r.extended_reason,
          extendedReason: r.extended_reason,
          hasDetails: !!r.details_enc,
          closedAt: iso(r.closed_at),
          closedOutcome: r.closed_outcome,
          purgedAt: iso(r.purged_at),
          locked: r.code_failures >= MAX_FAILURES,
          downloadExpiresAt: iso(r.download_expires_at),
        })),
      };
    });
  }

  /** What the requester wrote (what to rectify, the grounds of an objection); the read is audited. */
  async function details(ctx: TenantContext, id: string) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const r = await store.selectIntake(tx, id);
      if (!r) throw notFound('request');
      // Past retention the text is gone: a state of the intake, not an error (nothing was read).
      if (r.purged_at) return { id, details: null, purged: true, purgedAt: iso(r.purged_at) };
      const text = r.details_enc
        ? await deps.keyring.decryptFieldText(
            field(ctx.tenant.id, id, 'details_enc'),
            Buffer.from(r.details_enc),
            tx,
          )
        : null;
      await audit.inTx(tx, govEvent(ctx, 'governance.dsar.read', 'dsar_intake', id));
      return { id, details: text, purged: false, purgedAt: null };
    });
  }

  async function extend(ctx: TenantContext, id: string, reason: string) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const r = await store.selectIntake(tx, id, true);
      if (!r) throw notFound('request');
      if (r.extended_reason) throw new VigilError('conflict', 'the deadline was extended already');
      const dueAt = await store.extendDue(tx, id, reason);
      if (r.subject_request_id) await setRequestDeadline(tx, r.subject_request_id, dueAt);
      await audit.inTx(tx, govEvent(ctx, 'governance.dsar.extend', 'dsar_intake', id, { dueAt }));
      return { id, dueAt };
    });
  }

  /** Access requests: makes the export downloadable and sends the requester a download code. */
  async function fulfil(ctx: TenantContext, id: string) {
    const pending = await db.withTenant(ctx.tenant.id, async (tx) => {
      const r = await store.selectIntake(tx, id, true);
      if (!r) throw notFound('request');
      if (r.state !== 'verified' || r.type !== 'access')
        throw new VigilError('conflict', 'only a verified access request is fulfilled here');
      await store.setDownload(tx, id, sha(randomUUID()), DOWNLOAD_TTL_SECONDS);
      if (r.subject_request_id) await completeRequest(tx, r.subject_request_id);
      // The download code is the requester's news of it: no separate status mail.
      await store.setNotified(tx, id, 'fulfilled');
      const code = await deps.codes.issue(tx, ctx.tenant.id, r);
      await audit.inTx(tx, govEvent(ctx, 'governance.dsar.fulfil', 'dsar_intake', id));
      return code;
    });
    await deps.codes.send(pending);
    return { id, state: 'fulfilled' };
  }

  /**
   * Reminds each tenant's DPOs of verified requests whose deadline is within `days` (once per
   * request). The mail says how many, never who.
   */
  async function remindDue(
    tenants: Array<{ id: string }>,
    dpos: (tenantId: string) => Promise<Array<{ email: string; locale?: string | null }>>,
    days = 7,
  ): Promise<number> {
    let total = 0;
    for (const t of tenants) {
      const n = await db.withTenant(t.id, async (tx) => {
        const due = await store.claimDueSoon(tx, days);
        if (due)
          await audit.inTx(tx, govEvent(systemOf(t.id), 'governance.dsar.reminder', 'tenant', t.id, { due }));
        return due;
      });
      if (!n) continue;
      total += n;
      for (const d of await dpos(t.id)) await deps.messages.dpoReminder(d.email, n, days, d.locale ?? null);
    }
    return total;
  }

  /** Tells requesters of verified requests when their state changed (once per change). */
  async function notifyRequesters(tenants: Array<{ id: string }>): Promise<number> {
    let sent = 0;
    for (const t of tenants) {
      const changed = await db.withTenant(t.id, async (tx) => {
        const rows = await store.selectFollowed(tx);
        const stateOf = await publicStates(tx, rows);
        const out = [];
        for (const r of rows) {
          const state = stateOf(r);
          if (state === 'unverified') continue;
          const extended = !!r.extended_reason;
          const key =
            state === 'verified' || state === 'in_effect' ? `${state}${extended ? '.extended' : ''}` : state;
          if (key === r.notified_state) continue;
          const to = await deps.codes.contactOf(tx, t.id, r, 'email');
          out.push({
            id: r.id,
            key,
            to,
            state,
            extended,
            type: r.type,
            dueAt: iso(r.due_at)!,
            locale: r.locale,
          });
        }
        return out;
      });
      for (const c of changed) {
        await deps.messages.status(c.to, c);
        await db.withTenant(t.id, async (tx) => {
          await store.setNotified(tx, c.id, c.key);
          await audit.inTx(
            tx,
            govEvent(systemOf(t.id), 'governance.dsar.status_mail', 'dsar_intake', c.id, { state: c.key }),
          );
        });
        sent++;
      }
    }
    return sent;
  }

  return { list, details, extend, fulfil, remindDue, notifyRequesters };
}

export type DsarStaff = ReturnType<typeof createDsarStaff>;
