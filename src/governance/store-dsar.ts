// SQL of the public DSAR intake (dsar_intakes). Addresses are stored encrypted, codes and tokens
// as hashes only.
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';

export const INTAKE_TYPES = ['access', 'rectification', 'erasure', 'restriction', 'objection'] as const;
export type IntakeType = (typeof INTAKE_TYPES)[number];

export interface IntakeRow {
  id: string;
  type: IntakeType;
  /** Null once purged (retention): then phone and details are null too. */
  email_enc: Buffer | null;
  phone_enc: Buffer | null;
  details_enc: Buffer | null;
  source: 'form' | 'mail';
  verify_channel: 'email' | 'sms';
  locale: 'de' | 'en' | 'fr';
  code_sends: number;
  code_failures: number;
  notified_state: string | null;
  customer_id: string | null;
  code_hash: Buffer | null;
  code_expires_at: string | Date | null;
  code_attempts: number;
  state: 'unverified' | 'verified' | 'fulfilled' | 'rejected' | 'expired';
  received_at: string | Date;
  due_at: string | Date;
  extended_reason: string | null;
  subject_request_id: string | null;
  download_token_hash: Buffer | null;
  download_expires_at: string | Date | null;
  downloaded_at: string | Date | null;
  closed_at: string | Date | null;
  closed_outcome: 'completed' | 'rejected' | 'expired' | null;
  purged_at: string | Date | null;
}

const COLS = sql`id, type, email_enc, phone_enc, details_enc, source, verify_channel, locale, code_sends,
  code_failures, notified_state, customer_id, code_hash, code_expires_at, code_attempts, state, received_at,
  due_at, extended_reason, subject_request_id, download_token_hash, download_expires_at, downloaded_at,
  closed_at, closed_outcome, purged_at`;

export async function insertIntake(
  tx: Tx,
  i: {
    id: string;
    tenantId: string;
    type: string;
    emailEnc: Buffer;
    phoneEnc: Buffer | null;
    detailsEnc: Buffer | null;
    source: 'form' | 'mail';
    verifyChannel: 'email' | 'sms';
    locale: string;
    customerId: string | null;
    statusHash: Buffer;
  },
): Promise<void> {
  await tx.execute(sql`insert into dsar_intakes (id, tenant_id, type, email_enc, phone_enc, details_enc, source,
      verify_channel, locale, customer_id, status_token_hash, due_at)
    values (${i.id}, ${i.tenantId}, ${i.type}, ${i.emailEnc}, ${i.phoneEnc}, ${i.detailsEnc}, ${i.source},
      ${i.verifyChannel}, ${i.locale}, ${i.customerId}, ${i.statusHash}, now() + interval '1 month')`);
}

export async function selectByStatusHash(tx: Tx, hash: Buffer, lock = false): Promise<IntakeRow | undefined> {
  const [r] = await rows<IntakeRow>(
    tx,
    sql`select ${COLS} from dsar_intakes where status_token_hash = ${hash} ${lock ? sql`for update` : sql``}`,
  );
  return r;
}

export async function selectIntake(tx: Tx, id: string, lock = false): Promise<IntakeRow | undefined> {
  const [r] = await rows<IntakeRow>(
    tx,
    sql`select ${COLS} from dsar_intakes where id = ${id} ${lock ? sql`for update` : sql``}`,
  );
  return r;
}

export const selectIntakes = (tx: Tx) =>
  rows<IntakeRow & { overdue: boolean }>(
    tx,
    sql`select ${COLS}, (state in ('unverified', 'verified') and due_at < now()) as overdue
        from dsar_intakes order by due_at, id limit 500`,
  );

export async function setCode(tx: Tx, id: string, hash: Buffer, ttlSeconds: number): Promise<void> {
  await tx.execute(sql`update dsar_intakes set code_hash = ${hash}, code_attempts = 0, code_sends = code_sends + 1,
    code_expires_at = now() + make_interval(secs => ${ttlSeconds}) where id = ${id}`);
}

export async function failCode(tx: Tx, id: string): Promise<void> {
  await tx.execute(sql`update dsar_intakes set code_attempts = code_attempts + 1,
    code_failures = code_failures + 1 where id = ${id}`);
}

export async function markVerified(tx: Tx, id: string, subjectRequestId: string): Promise<void> {
  await tx.execute(sql`update dsar_intakes set state = 'verified', code_hash = null, code_expires_at = null,
    subject_request_id = ${subjectRequestId} where id = ${id}`);
}

export async function extendDue(tx: Tx, id: string, reason: string): Promise<string> {
  const [r] = await rows<{ due_at: string | Date }>(
    tx,
    sql`update dsar_intakes set due_at = received_at + interval '3 months', extended_reason = ${reason}
        where id = ${id} returning due_at`,
  );
  return new Date(r!.due_at).toISOString();
}

export async function setDownload(tx: Tx, id: string, hash: Buffer, ttlSeconds: number): Promise<void> {
  await tx.execute(sql`update dsar_intakes set state = 'fulfilled', download_token_hash = ${hash},
    download_expires_at = now() + make_interval(secs => ${ttlSeconds}) where id = ${id}`);
}

export async function markDownloaded(tx: Tx, id: string): Promise<void> {
  await tx.execute(sql`update dsar_intakes set downloaded_at = now() where id = ${id}`);
}

/** Verified requests due within `days` whose DPOs were not reminded yet; marks them reminded. */
export async function claimDueSoon(tx: Tx, days: number): Promise<number> {
  const r = await rows<{ id: string }>(
    tx,
    sql`update dsar_intakes set reminded_at = now()
        where state = 'verified' and reminded_at is null and due_at < now() + make_interval(days => ${days})
        returning id`,
  );
  return r.length;
}

/** Requests whose requester may hear of a change: verified (or fulfilled) ones not yet closed. */
export const selectFollowed = (tx: Tx) =>
  rows<IntakeRow>(
    tx,
    sql`select ${COLS} from dsar_intakes where state in ('verified', 'fulfilled') and customer_id is not null
        and purged_at is null and (notified_state is null or notified_state not in ('completed', 'rejected', 'fulfilled'))
        order by received_at limit 500`,
  );

export async function setNotified(tx: Tx, id: string, state: string): Promise<void> {
  await tx.execute(sql`update dsar_intakes set notified_state = ${state} where id = ${id}`);
}

/** Open intakes with a subject request: the retention job asks the register whether it closed. */
export const selectUnclosed = (tx: Tx) =>
  rows<{ id: string; subject_request_id: string }>(
    tx,
    sql`select id, subject_request_id from dsar_intakes
        where closed_at is null and subject_request_id is not null and state in ('verified', 'fulfilled')
        order by received_at limit 1000`,
  );

/**
 * Records that the register closed the request, at `now` as the job saw it; a fulfilled export
 * counts as closed only once its download expired (the requester needs the contact until then).
 */
export async function markClosed(
  tx: Tx,
  id: string,
  outcome: 'completed' | 'rejected',
  now: Date,
): Promise<void> {
  await tx.execute(sql`update dsar_intakes set closed_outcome = ${outcome},
    closed_at = greatest(${now.toISOString()}::timestamptz, coalesce(download_expires_at, ${now.toISOString()}::timestamptz))
    where id = ${id} and closed_at is null`);
}

const PURGE_SET = sql`email_enc = null, phone_enc = null, details_enc = null, customer_id = null,
  code_hash = null, code_expires_at = null, download_token_hash = null`;

/**
 * Purges the personal fields of closed intakes past retention: closed ones `retentionDays` after
 * closing (a completed erasure at once), never-verified ones `unverifiedDays` after their code
 * expired (then closed as expired). Returns what was purged: ids and kinds only.
 */
export async function purgeDue(
  tx: Tx,
  now: Date,
  retentionDays: number,
  unverifiedDays: number,
): Promise<Array<{ id: string; type: IntakeType; closed_outcome: string }>> {
  const t = sql`${now.toISOString()}::timestamptz`;
  return rows(
    tx,
    sql`update dsar_intakes set ${PURGE_SET}, purged_at = ${t},
          closed_at = coalesce(closed_at, ${t}), closed_outcome = coalesce(closed_outcome, 'expired')
        where purged_at is null and (
          (state = 'unverified' and closed_at is null
            and coalesce(code_expires_at, received_at) < ${t} - make_interval(days => ${unverifiedDays}))
          or (closed_at <= ${t} and type = 'erasure' and closed_outcome = 'completed')
          or (closed_at < ${t} - make_interval(days => ${retentionDays})))
        returning id, type, closed_outcome`,
  );
}

/** A completed erasure: its intake keeps no contact and no text (at once, not after retention). */
export async function purgeErasure(tx: Tx, subjectRequestId: string, now: Date): Promise<number> {
  const t = sql`${now.toISOString()}::timestamptz`;
  const r = await rows<{ id: string }>(
    tx,
    sql`update dsar_intakes set ${PURGE_SET}, purged_at = ${t}, closed_at = coalesce(closed_at, ${t}),
          closed_outcome = 'completed'
        where subject_request_id = ${subjectRequestId} and type = 'erasure' and purged_at is null
        returning id`,
  );
  return r.length;
}
