// SQL for the phishing simulation tables (phish_campaigns, phish_recipients, phish_events,
// phish_reports): the only place that reads or writes them. Membership and user rows are read,
// never written, to resolve target groups (as the training gate does).
import { sql } from 'drizzle-orm';
import { pgTextArray } from '../ingest/index.ts';
import { rows, type Tx } from '../platform/db.ts';
import type { Language, TemplateKey } from './templates.ts';

export type EventKind = 'sent' | 'opened' | 'clicked' | 'submitted' | 'reported';
export type CampaignState = 'draft' | 'running' | 'finished';

export interface CampaignRow {
  id: string;
  tenant_id: string;
  name: string;
  template: TemplateKey;
  language: Language | null;
  target_roles: string[];
  target_queue: string | null;
  window_start: Date | string;
  window_end: Date | string;
  state: CampaignState;
  launched_at: Date | string | null;
  created_at: Date | string;
}

export interface NewCampaign {
  tenantId: string;
  name: string;
  template: TemplateKey;
  language: Language | null;
  targetRoles: string[];
  targetQueue: string | null;
  windowStart: Date;
  windowEnd: Date;
  createdBy: string | null;
}

export async function insertCampaign(tx: Tx, c: NewCampaign): Promise<CampaignRow> {
  const [r] = await rows<CampaignRow>(
    tx,
    sql`insert into phish_campaigns (tenant_id, name, template, language, target_roles, target_queue,
          window_start, window_end, created_by)
        values (${c.tenantId}, ${c.name}, ${c.template}, ${c.language}, ${pgTextArray(c.targetRoles)}::text[],
          ${c.targetQueue}, ${c.windowStart}, ${c.windowEnd}, ${c.createdBy})
        returning *`,
  );
  return r!;
}

export const selectCampaigns = (tx: Tx) =>
  rows<CampaignRow>(tx, sql`select * from phish_campaigns order by created_at desc limit 200`);

export async function selectCampaign(tx: Tx, id: string): Promise<CampaignRow | undefined> {
  const [r] = await rows<CampaignRow>(tx, sql`select * from phish_campaigns where id = ${id}`);
  return r;
}

export async function markLaunched(tx: Tx, id: string): Promise<boolean> {
  const r = await rows<{ id: string }>(
    tx,
    sql`update phish_campaigns set state = 'running', launched_at = now()
        where id = ${id} and state = 'draft' returning id`,
  );
  return r.length === 1;
}

/** Active members of the tenant holding one of `roles` (and in `queue` when given). */
export function selectTargets(tx: Tx, tenantId: string, roles: string[], queue: string | null) {
  return rows<{ user_id: string; locale: string }>(
    tx,
    sql`select distinct u.id as user_id, u.locale from memberships m join users u on u.id = m.user_id
        where m.tenant_id = ${tenantId} and m.role = any(${pgTextArray(roles)}::text[]) and u.status = 'active'
          ${queue ? sql`and exists (select 1 from queue_members q where q.queue_id = ${queue} and q.user_id = u.id)` : sql``}
        order by u.id`,
  );
}

export async function insertRecipients(
  tx: Tx,
  tenantId: string,
  campaignId: string,
  rs: Array<{ id: string; userId: string; language: Language; sendAt: Date }>,
): Promise<void> {
  for (const r of rs)
    await tx.execute(sql`insert into phish_recipients (id, tenant_id, campaign_id, user_id, language, send_at)
      values (${r.id}, ${tenantId}, ${campaignId}, ${r.userId}, ${r.language}, ${r.sendAt})`);
}

/** Recipients due now across tenants (owner connection), oldest first. */
export function selectDue(tx: Tx, limit: number) {
  return rows<{ id: string; tenant_id: string }>(
    tx,
    sql`select id, tenant_id from phish_recipients where sent_at is null and attempts < 5 and send_at <= now()
        order by send_at limit ${limit}`,
  );
}

export interface OutboundRow {
  id: string;
  campaign_id: string;
  user_id: string;
  email: string;
  language: Language;
  template: TemplateKey;
  sent_at: Date | string | null;
}

export async function selectOutbound(tx: Tx, recipientId: string): Promise<OutboundRow | undefined> {
  const [r] = await rows<OutboundRow>(
    tx,
    sql`select r.id, r.campaign_id, r.user_id, u.email, r.language, c.template, r.sent_at
        from phish_recipients r join phish_campaigns c on c.id = r.campaign_id join users u on u.id = r.user_id
        where r.id = ${recipientId} for update of r`,
  );
  return r;
}

export async function markSent(tx: Tx, recipientId: string): Promise<void> {
  await tx.execute(sql`update phish_recipients set sent_at = now(), attempts = attempts + 1, last_error = null
    where id = ${recipientId}`);
}

export async function markSendFailed(tx: Tx, recipientId: string, code: string): Promise<void> {
  await tx.execute(sql`update phish_recipients set attempts = attempts + 1, last_error = ${code},
    send_at = now() + interval '30 seconds' where id = ${recipientId}`);
}

/** Campaigns whose every recipient was sent (or gave up) become finished. */
export async function finishCampaigns(tx: Tx): Promise<void> {
  await tx.execute(sql`update phish_campaigns c set state = 'finished' where c.state = 'running'
    and not exists (select 1 from phish_recipients r where r.campaign_id = c.id and r.sent_at is null and r.attempts < 5)`);
}

export interface RecipientRow {
  id: string;
  campaign_id: string;
  user_id: string;
  language: Language;
  template: TemplateKey;
  sent_at: Date | string | null;
}

export async function selectRecipient(tx: Tx, id: string): Promise<RecipientRow | undefined> {
  const [r] = await rows<RecipientRow>(
    tx,
    sql`select r.id, r.campaign_id, r.user_id, r.language, c.template, r.sent_at
        from phish_recipients r join phish_campaigns c on c.id = r.campaign_id where r.id = ${id}`,
  );
  return r;
}

/** Records the first occurrence of an event; true when this call recorded it. */
export async function recordEvent(tx: Tx, tenantId: string, recipientId: string, kind: EventKind) {
  const r = await rows<{ kind: string }>(
    tx,
    sql`insert into phish_events (tenant_id, recipient_id, kind) values (${tenantId}, ${recipientId}, ${kind})
        on conflict do nothing returning kind`,
  );
  return r.length === 1;
}

export interface ResultRow {
  recipient_id: string;
  user_id: string;
  display_name: string;
  queue_id: string | null;
  sent_at: Date | string | null;
  opened_at: Date | string | null;
  clicked_at: Date | string | null;
  submitted_at: Date | string | null;
  reported_at: Date | string | null;
}

/** One row per recipient with the first time of each event (and one team: the first queue). */
export function selectResults(tx: Tx, campaignId: string, userId?: string) {
  const at = (k: EventKind) =>
    sql`(select e.at from phish_events e where e.recipient_id = r.id and e.kind = ${k})`;
  return rows<ResultRow>(
    tx,
    sql`select r.id as recipient_id, r.user_id, u.display_name, r.sent_at,
          (select min(q.queue_id::text) from queue_members q where q.user_id = r.user_id) as queue_id,
          ${at('opened')} as opened_at, ${at('clicked')} as clicked_at,
          ${at('submitted')} as submitted_at, ${at('reported')} as reported_at
        from phish_recipients r join users u on u.id = r.user_id
        where r.campaign_id = ${campaignId} ${userId ? sql`and r.user_id = ${userId}` : sql``}
        order by u.display_name, r.id`,
  );
}

/** The caller's own simulation results across campaigns. */
export function selectOwnResults(tx: Tx, userId: string) {
  return rows<{
    campaign_id: string;
    name: string;
    template: TemplateKey;
    kind: EventKind;
    at: Date | string;
  }>(
    tx,
    sql`select c.id as campaign_id, c.name, c.template, e.kind, e.at from phish_recipients r
        join phish_campaigns c on c.id = r.campaign_id join phish_events e on e.recipient_id = r.id
        where r.user_id = ${userId} order by e.at`,
  );
}

export interface NewReport {
  id: string;
  tenantId: string;
  reporterId: string | null;
  via: 'console' | 'smtp';
  verdict: 'simulation' | 'suspicious';
  recipientId: string | null;
  size: number;
  sha256: string;
  mailEnc: Buffer | null;
}

export async function insertReport(tx: Tx, r: NewReport): Promise<void> {
  await tx.execute(sql`insert into phish_reports (id, tenant_id, reporter_id, via, verdict, recipient_id, size, sha256, mail_enc)
    values (${r.id}, ${r.tenantId}, ${r.reporterId}, ${r.via}, ${r.verdict}, ${r.recipientId}, ${r.size}, ${r.sha256}, ${r.mailEnc})`);
}

export function selectReports(tx: Tx) {
  return rows<{
    id: string;
    reporter_id: string | null;
    via: string;
    verdict: string;
    recipient_id: string | null;
    size: number;
    sha256: string;
    created_at: Date | string;
  }>(
    tx,
    sql`select id, reporter_id, via, verdict, recipient_id, size, sha256, created_at from phish_reports
        order by created_at desc limit 200`,
  );
}

export async function selectReportMail(tx: Tx, id: string) {
  const [r] = await rows<{ mail_enc: Buffer | null }>(
    tx,
    sql`select mail_enc from phish_reports where id = ${id} and verdict = 'suspicious'`,
  );
  return r;
}

/** The member's address book entry in this tenant: whose mail an SMTP report is. */
export async function selectMemberByEmail(tx: Tx, tenantId: string, email: string) {
  const [r] = await rows<{ id: string }>(
    tx,
    sql`select u.id from users u join memberships m on m.user_id = u.id
        where lower(u.email) = lower(${email}) and m.tenant_id = ${tenantId} and u.status = 'active' limit 1`,
  );
  return r;
}
