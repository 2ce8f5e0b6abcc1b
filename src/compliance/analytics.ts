// Pseudonymised analytics: conversation metrics and a QA sample in which customers and
// conversations appear only as keyed pseudonyms (HMAC under the tenant's index key, so they are
// stable within the tenant, useless outside it and gone with the tenant key) and every text has
// passed the PII engine again. Customers whose processing is restricted (Art. 18) or who refused
// analytics are left out of aggregates; asking for one of them directly is refused (423).
import { sql } from 'drizzle-orm';
import type { Keyring } from '../crypto/index.ts';
import { renderStored } from '../ingest/index.ts';
import { redactForLog } from '../pii/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { assertNotRestricted } from '../privacy/restriction.ts';
import { actorEvent } from './events.ts';

/** Customers out of analytics: restricted, erased, or analytics consent refused. */
const included = sql`c.erased_at is null and coalesce((c.consents ->> 'analytics')::boolean, true)
  and not exists (select 1 from customer_restrictions r where r.customer_id = c.id)`;

export function createAnalytics(deps: {
  db: Pick<Database, 'withTenant'>;
  keyring: Pick<Keyring, 'blindIndex' | 'decryptFieldText'>;
  audit: AuditRecorder;
}) {
  const { db, keyring, audit } = deps;

  const pseudonym = async (tx: Tx, tenantId: string, kind: string, id: string) =>
    `${kind}_${(await keyring.blindIndex(tenantId, 'customer_number', `psn${kind}${id.replace(/-/g, '')}`, tx)).toString('hex').slice(0, 20)}`;

  async function metrics(tx: Tx, since: string, customerId?: string) {
    const scope = customerId ? sql`and c.id = ${customerId}` : sql``;
    const byChannel = await rows<{
      channel: string;
      conversations: number;
      resolved: number;
      messages: number;
    }>(
      tx,
      sql`select v.channel, count(distinct v.id)::int as conversations,
            count(distinct v.id) filter (where v.status in ('resolved', 'closed'))::int as resolved,
            (select count(*)::int from messages m join conversations v2 on v2.id = m.conversation_id join customers c2 on c2.id = v2.customer_id
              where v2.channel = v.channel and v2.created_at >= ${since}::timestamptz and m.kind <> 'note'
              ${customerId ? sql`and c2.id = ${customerId}` : sql``}
              and c2.erased_at is null and coalesce((c2.consents ->> 'analytics')::boolean, true)
              and not exists (select 1 from customer_restrictions r where r.customer_id = c2.id)) as messages
          from conversations v join customers c on c.id = v.customer_id
          where v.created_at >= ${since}::timestamptz and ${included} ${scope}
          group by v.channel order by v.channel`,
    );
    const [frt] = await rows<{ avg_seconds: number | null; answered: number }>(
      tx,
      sql`select avg(extract(epoch from f.first_out - f.first_in))::float8 as avg_seconds, count(*)::int as answered from (
            select v.id,
              (select min(m.created_at) from messages m where m.conversation_id = v.id and m.direction = 'inbound') as first_in,
              (select min(m.created_at) from messages m where m.conversation_id = v.id and m.direction = 'outbound') as first_out
            from conversations v join customers c on c.id = v.customer_id
            where v.created_at >= ${since}::timestamptz and ${included} ${scope}) f
          where f.first_in is not null and f.first_out is not null and f.first_out >= f.first_in`,
    );
    const [excluded] = await rows<{ n: number }>(
      tx,
      sql`select count(distinct c.id)::int as n from conversations v join customers c on c.id = v.customer_id
          where v.created_at >= ${since}::timestamptz and not (${included})`,
    );
    const total = byChannel.reduce((a, b) => a + b.conversations, 0);
    const resolved = byChannel.reduce((a, b) => a + b.resolved, 0);
    return {
      conversations: total,
      byChannel: Object.fromEntries(
        byChannel.map((b) => [b.channel, { conversations: b.conversations, messages: b.messages }]),
      ),
      resolutionRate: total ? Math.round((resolved / total) * 1000) / 1000 : null,
      firstResponseSecondsAvg:
        frt?.avg_seconds === null || frt?.avg_seconds === undefined ? null : Math.round(frt.avg_seconds),
      answeredConversations: frt?.answered ?? 0,
      csat: null as number | null,
      excludedSubjects: customerId ? 0 : (excluded?.n ?? 0),
    };
  }

  async function conversations(ctx: TenantContext, days: number) {
    const since = new Date(Date.now() - days * 86_400_000).toISOString();
    const out = await db.withTenant(ctx.tenant.id, (tx) => metrics(tx, since));
    await audit.standalone(
      actorEvent(ctx, 'analytics.read', 'tenant', ctx.tenant.id, { days, excluded: out.excludedSubjects }),
    );
    return { windowDays: days, ...out, csatNote: 'CSAT is not collected by Vigil' };
  }

  async function subject(ctx: TenantContext, customerId: string, days: number) {
    const since = new Date(Date.now() - days * 86_400_000).toISOString();
    const out = await db.withTenant(ctx.tenant.id, async (tx) => {
      const [c] = await rows<{ erased_at: Date | null; analytics: boolean }>(
        tx,
        sql`select erased_at, coalesce((consents ->> 'analytics')::boolean, true) as analytics from customers where id = ${customerId}`,
      );
      if (!c) throw new VigilError('not_found', 'customer not found');
      if (c.erased_at) throw new VigilError('data_erased', 'the data was erased');
      await assertNotRestricted(tx, ctx.tenant.id, customerId);
      if (!c.analytics) throw new VigilError('processing_restricted', 'the customer refused analytics');
      return {
        subject: await pseudonym(tx, ctx.tenant.id, 'c', customerId),
        ...(await metrics(tx, since, customerId)),
      };
    });
    await audit.standalone(actorEvent(ctx, 'analytics.subject.read', 'customer', customerId, { days }));
    return { windowDays: days, ...out };
  }

  /** A QA sample of recent messages: pseudonyms instead of ids, text through the PII engine. */
  async function qaSample(ctx: TenantContext, size: number) {
    const tenantId = ctx.tenant.id;
    const items = await db.withTenant(tenantId, async (tx) => {
      const msgs = await rows<{
        id: string;
        conversation_id: string;
        customer_id: string;
        subject_id: string;
        channel: string;
        direction: string;
        body_enc: Uint8Array;
      }>(
        tx,
        sql`select m.id, m.conversation_id, v.customer_id, m.subject_id, m.channel, m.direction, m.body_enc
            from messages m join conversations v on v.id = m.conversation_id join customers c on c.id = v.customer_id
            where m.kind = 'message' and ${included} order by m.seq desc limit ${size}`,
      );
      const out = [];
      for (const m of msgs) {
        const text = await keyring.decryptFieldText(
          { tenantId, table: 'messages', column: 'body_enc', rowId: m.id, subjectId: m.subject_id },
          Buffer.from(m.body_enc),
          tx,
        );
        out.push({
          conversation: await pseudonym(tx, tenantId, 'v', m.conversation_id),
          customer: await pseudonym(tx, tenantId, 'c', m.customer_id),
          channel: m.channel,
          direction: m.direction,
          text: redactForLog(renderStored(text, false)),
        });
      }
      return out;
    });
    await audit.standalone(
      actorEvent(ctx, 'analytics.qa_sample', 'tenant', tenantId, { messages: items.length }),
    );
    return { items };
  }

  return { conversations, subject, qaSample };
}

export type Analytics = ReturnType<typeof createAnalytics>;
