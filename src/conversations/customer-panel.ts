// The customer next to a conversation, as the agent may see it: the linked customer's name,
// e-mail addresses, phone numbers and customer number, masked where the caller's role masks them
// (customers' field rules) or where the tenant's PII policy does not keep that kind of value in
// conversations (a tokenized e-mail in the chat is not shown in clear next to it either), plus the
// identifiers the customer gave in this conversation (tokens). A masked field is revealed through
// the same reveal flow as a token: a reason, the assignment policy, one value.reveal event.
import { sql } from 'drizzle-orm';
import { auditBase } from '../ingest/index.ts';
import { type EntityType, type PiiPolicy, ruleFor } from '../pii/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { customerRef } from './inbox-items.ts';
import { assertRevealAllowed, auditingRefusal, revealIsAssigned } from './reveal-policy.ts';
import { meaningfulReason } from './reveal-reason.ts';
import { isSupervisor, sanitizeReason } from './service.ts';
import { selectConversationInScope } from './store.ts';

export const PANEL_FIELDS = ['name', 'emails', 'phones', 'customerNumber'] as const;
export type PanelField = (typeof PANEL_FIELDS)[number];
const ENTITY: Record<PanelField, EntityType | null> = {
  name: 'PERSON',
  emails: 'EMAIL',
  phones: 'PHONE',
  customerNumber: null,
};

export interface CustomerFields {
  name?: string | null;
  emails?: string[];
  phones?: string[];
  customerNumber?: string | null;
  masked?: string[];
}

export interface PanelDeps {
  db: Pick<Database, 'withTenant'>;
  audit: AuditRecorder;
  customers: {
    get(ctx: TenantContext, id: string, opts?: { conversationId?: string }): Promise<CustomerFields>;
  };
  policyFor(tx: Tx, tenantId: string): Promise<PiiPolicy>;
}

type Conv = { id: string; customer_id: string; assignee_id: string | null; channel: string };

export function createCustomerPanel(deps: PanelDeps) {
  async function load(ctx: TenantContext, id: string) {
    const uid = ctx.actor.id;
    if (ctx.actor.type !== 'user' || !uid) throw new VigilError('forbidden', 'agents only');
    return deps.db.withTenant(ctx.tenant.id, async (tx) => {
      const c = await selectConversationInScope(tx, id, isSupervisor(ctx) ? null : uid);
      if (!c?.in_scope) throw new VigilError('not_found', 'conversation not found');
      const policy = await deps.policyFor(tx, ctx.tenant.id);
      const given = await rows<{ token: string; entity_type: string }>(
        tx,
        sql`select token, entity_type from pii_tokens where conversation_id = ${c.id} and subject_id = ${c.customer_id}
            order by created_at limit 20`,
      );
      return { c: c as Conv, policy, given, uid };
    });
  }

  /** Which fields the tenant's policy keeps out of the agent's sight in this channel. */
  const policyMasks = (policy: PiiPolicy, channel: string, f: PanelField) => {
    const type = ENTITY[f];
    return type !== null && ruleFor(policy, channel as 'chat', type).operator !== 'keep';
  };

  /** The panel, and the values a macro may use (exactly what the panel shows in clear). */
  async function view(ctx: TenantContext, id: string) {
    const { c, policy, given } = await load(ctx, id);
    const customer = await deps.customers.get(ctx, c.customer_id, { conversationId: id });
    const roleMasked = new Set(customer.masked ?? []);
    const fields = PANEL_FIELDS.map((f) => {
      const raw = customer[f];
      const values = raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw : [raw];
      const masked = values.length > 0 && (roleMasked.has(f) || policyMasks(policy, c.channel, f));
      return { field: f, count: values.length, values: masked ? [] : values, masked };
    });
    return {
      customerId: c.customer_id,
      ref: customerRef(ctx.tenant.id, c.customer_id),
      assignedToMe: c.assignee_id === ctx.actor.id,
      fields,
      given: given.map((g) => ({ type: g.entity_type, token: g.token })),
    };
  }

  /** A masked field's values, for a reason, under the same assignment policy as a token reveal. */
  async function reveal(
    ctx: TenantContext,
    id: string,
    body: { field: PanelField; reason: string; acknowledgeUnassigned?: boolean },
  ) {
    const safeReason = await sanitizeReason(meaningfulReason(body.reason));
    const { c, uid } = await load(ctx, id);
    const assigned = revealIsAssigned(c.assignee_id, uid);
    await auditingRefusal(deps.audit, ctx, c.id, async () =>
      assertRevealAllowed(assigned, body.acknowledgeUnassigned),
    );
    const customer = await deps.customers.get(ctx, c.customer_id, { conversationId: id });
    if ((customer.masked ?? []).includes(body.field))
      throw new VigilError('forbidden', 'your role does not see this field');
    const raw = customer[body.field];
    const values = raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw : [raw];
    if (!values.length) throw new VigilError('not_found', 'no value to reveal');
    await deps.audit.standalone({
      ...auditBase(ctx),
      action: 'value.reveal',
      resourceType: 'conversation',
      resourceId: c.id,
      outcome: 'success',
      reason: safeReason,
      meta: {
        assigned,
        field: body.field,
        entityType: ENTITY[body.field] ?? 'CUSTOMER_NUMBER',
        customerId: c.customer_id,
      },
    });
    return { field: body.field, values };
  }

  return { view, reveal };
}

export type CustomerPanel = ReturnType<typeof createCustomerPanel>;
