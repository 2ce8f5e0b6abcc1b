// Consent records (Art. 7): who consented to what, when, through which channel, to which version
// of the text — and withdrawal, which stops the processing the consent covered:
//   recording  → the calls' consent becomes 'denied' and stored recording references are dropped,
//                so the telephony API refuses recordings (409) from then on;
//   marketing  → the customer's marketing flag is off and they leave the marketing audience;
//   analytics  → the customer is left out of pseudonymised analytics;
//   training   → opt-in: only then do the customer's conversations enter an automation export.
// The register holds ids, purposes and text versions only; no personal values.
import { sql } from 'drizzle-orm';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { actorEvent, iso } from './events.ts';

// training: the customer's conversations may be exported to train chatbots and voice bots (issue 29).
export const PURPOSES = ['marketing', 'processing', 'recording', 'analytics', 'training'] as const;
export type Purpose = (typeof PURPOSES)[number];
export const SOURCES = ['web_form', 'agent', 'ivr', 'email', 'import', 'api'] as const;
export type Source = (typeof SOURCES)[number];

interface RecordRow {
  id: string;
  customer_id: string;
  purpose: Purpose;
  call_id: string | null;
  granted: boolean;
  source: Source;
  text_version: string;
  recorded_at: Date | string;
  recorded_by: string | null;
  withdrawn_at: Date | string | null;
}

const view = (r: RecordRow) => ({
  id: r.id,
  customerId: r.customer_id,
  purpose: r.purpose,
  callId: r.call_id,
  granted: r.granted,
  source: r.source,
  textVersion: r.text_version,
  recordedAt: iso(r.recorded_at),
  recordedBy: r.recorded_by,
  withdrawnAt: iso(r.withdrawn_at),
  active: r.granted && !r.withdrawn_at,
});

/** True when the customer's current flag for `purpose` is on (the flag the register maintains). */
export async function hasConsent(tx: Tx, customerId: string, purpose: Purpose): Promise<boolean> {
  const [r] = await rows<{ on: boolean }>(
    tx,
    sql`select coalesce((consents ->> ${purpose})::boolean, false) as on from customers where id = ${customerId}`,
  );
  return r?.on === true;
}

export function createConsents(deps: { db: Pick<Database, 'withTenant'>; audit: AuditRecorder }) {
  const { db, audit } = deps;

  async function customerOf(tx: Tx, id: string) {
    const [c] = await rows<{ id: string; erased_at: Date | null }>(
      tx,
      sql`select id, erased_at from customers where id = ${id}`,
    );
    if (!c) throw new VigilError('not_found', 'customer not found');
    if (c.erased_at) throw new VigilError('data_erased', 'the data was erased');
  }

  const setFlag = (tx: Tx, customerId: string, purpose: Purpose, on: boolean) =>
    tx.execute(sql`update customers set consents = consents || jsonb_build_object(${purpose}::text, ${on}::boolean),
      updated_at = now() where id = ${customerId}`);

  /** Recording refused for one call, or every call of the customer. */
  const refuseRecording = (tx: Tx, customerId: string, callId: string | null, method: 'ivr' | 'agent') =>
    tx.execute(sql`update calls set consent = 'denied', consent_method = ${method}, consent_at = now(), recording_ref_enc = null
      where conversation_id in (select id from conversations where customer_id = ${customerId})
      ${callId ? sql`and id = ${callId}` : sql``}`);

  async function record(
    ctx: TenantContext,
    input: {
      customerId: string;
      purpose: Purpose;
      granted: boolean;
      source: Source;
      textVersion: string;
      callId?: string;
    },
  ) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      await customerOf(tx, input.customerId);
      const method = input.source === 'ivr' ? 'ivr' : 'agent';
      if (input.callId) {
        if (input.purpose !== 'recording')
          throw new VigilError('invalid_input', 'only recording consent is per call');
        const [k] = await rows<{ id: string }>(
          tx,
          sql`select k.id from calls k join conversations c on c.id = k.conversation_id
              where k.id = ${input.callId} and c.customer_id = ${input.customerId}`,
        );
        if (!k) throw new VigilError('not_found', 'call not found');
        if (input.granted)
          await tx.execute(
            sql`update calls set consent = 'granted', consent_method = ${method}, consent_at = now() where id = ${k.id}`,
          );
        else await refuseRecording(tx, input.customerId, k.id, method);
      } else {
        await setFlag(tx, input.customerId, input.purpose, input.granted);
        if (input.purpose === 'recording' && !input.granted)
          await refuseRecording(tx, input.customerId, null, method);
      }
      const [r] = await rows<RecordRow>(
        tx,
        sql`insert into consent_records (tenant_id, customer_id, purpose, call_id, granted, source, text_version, recorded_by)
            values (${ctx.tenant.id}, ${input.customerId}, ${input.purpose}, ${input.callId ?? null}, ${input.granted},
              ${input.source}, ${input.textVersion}, ${ctx.actor.type === 'user' ? ctx.actor.id : null}) returning *`,
      );
      await audit.inTx(
        tx,
        actorEvent(ctx, 'consent.record', 'customer', input.customerId, {
          consentId: r!.id,
          purpose: input.purpose,
          granted: input.granted,
          source: input.source,
          textVersion: input.textVersion,
          callId: input.callId ?? null,
        }),
      );
      return view(r!);
    });
  }

  async function withdraw(ctx: TenantContext, id: string) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const [r] = await rows<RecordRow>(tx, sql`select * from consent_records where id = ${id} for update`);
      if (!r) throw new VigilError('not_found', 'consent record not found');
      if (r.withdrawn_at || !r.granted) throw new VigilError('conflict', 'this consent is not in force');
      await customerOf(tx, r.customer_id);
      await tx.execute(sql`update consent_records set withdrawn_at = now(),
        withdrawn_by = ${ctx.actor.type === 'user' ? ctx.actor.id : null} where id = ${id}`);
      if (r.call_id) await refuseRecording(tx, r.customer_id, r.call_id, 'agent');
      else {
        await setFlag(tx, r.customer_id, r.purpose, false);
        if (r.purpose === 'recording') await refuseRecording(tx, r.customer_id, null, 'agent');
      }
      await audit.inTx(
        tx,
        actorEvent(ctx, 'consent.withdraw', 'customer', r.customer_id, { consentId: id, purpose: r.purpose }),
      );
      const [after] = await rows<RecordRow>(tx, sql`select * from consent_records where id = ${id}`);
      return view(after!);
    });
  }

  /** The register of one customer: recorded consents, the current flags and the calls' consent. */
  async function forCustomer(ctx: TenantContext, customerId: string) {
    const out = await db.withTenant(ctx.tenant.id, async (tx) => {
      const [c] = await rows<{ consents: Record<string, boolean>; erased_at: Date | null }>(
        tx,
        sql`select consents, erased_at from customers where id = ${customerId}`,
      );
      if (!c) throw new VigilError('not_found', 'customer not found');
      const records = await rows<RecordRow>(
        tx,
        sql`select * from consent_records where customer_id = ${customerId} order by recorded_at desc, id`,
      );
      const calls = await rows<{
        id: string;
        consent: string;
        consent_method: string | null;
        consent_at: Date | null;
      }>(
        tx,
        sql`select k.id, k.consent, k.consent_method, k.consent_at from calls k join conversations v on v.id = k.conversation_id
            where v.customer_id = ${customerId} order by k.started_at desc limit 500`,
      );
      return {
        customerId,
        erased: !!c.erased_at,
        current: Object.fromEntries(PURPOSES.map((p) => [p, c.consents[p] === true])),
        records: records.map(view),
        calls: calls.map((k) => ({
          callId: k.id,
          consent: k.consent,
          method: k.consent_method,
          at: iso(k.consent_at),
        })),
      };
    });
    await audit.standalone(
      actorEvent(ctx, 'consent.read', 'customer', customerId, { records: out.records.length }),
    );
    return out;
  }

  /** Customer ids a marketing action may address: consent on, not erased, not restricted. */
  async function marketingAudience(ctx: TenantContext) {
    const ids = await db.withTenant(ctx.tenant.id, async (tx) =>
      (
        await rows<{ id: string }>(
          tx,
          sql`select c.id from customers c where c.erased_at is null and coalesce((c.consents ->> 'marketing')::boolean, false)
              and not exists (select 1 from customer_restrictions r where r.customer_id = c.id) order by c.id limit 10000`,
        )
      ).map((r) => r.id),
    );
    await audit.standalone(
      actorEvent(ctx, 'consent.audience.read', 'tenant', ctx.tenant.id, { customers: ids.length }),
    );
    return { purpose: 'marketing', customerIds: ids };
  }

  return { record, withdraw, forCustomer, marketingAudience };
}

export type Consents = ReturnType<typeof createConsents>;
