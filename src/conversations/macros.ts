// Canned replies and macros per tenant and language. Supervisors and tenant admins write them
// (audited, names and ids only); agents insert them into a reply. Placeholders are filled on the
// server from what the agent may see of the customer (the customer panel's clear values: a field
// masked by role or tenant policy fills as empty), and the result goes through the PII outbound
// guard: a macro that would put another person's e-mail, phone or an identifier or secret into a
// reply is refused (422 outbound_blocked, audited with types only).
import { auditBase } from '../ingest/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, pgErrorOf } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { guardOutbound } from '../quality/index.ts';
import type { CustomerPanel } from './customer-panel.ts';
import * as store from './macros-store.ts';

export const PLACEHOLDERS = [
  'customer.firstName',
  'customer.lastName',
  'customer.name',
  'customer.ref',
  'agent.firstName',
  'agent.name',
] as const;
const PLACEHOLDER_RE = /\{\{\s*([a-zA-Z.]+)\s*\}\}/g;

/** Refuses a body with a placeholder the server cannot fill (a typo would reach customers). */
export function checkPlaceholders(body: string): void {
  const unknown = [...body.matchAll(PLACEHOLDER_RE)]
    .map((m) => m[1]!)
    .filter((p) => !(PLACEHOLDERS as readonly string[]).includes(p));
  if (unknown.length)
    throw new VigilError('invalid_input', 'unknown placeholder', {
      details: unknown.slice(0, 5).map((p) => ({ path: '/body', message: p })),
    });
}

/** Fills placeholders; an empty value leaves no stray space before punctuation ("Hallo ,"). */
export function fill(body: string, values: Record<string, string>): string {
  return body
    .replace(PLACEHOLDER_RE, (_m, p: string) => values[p] ?? '')
    .replace(/[ \t]+([,.!?;:])/g, '$1')
    .replace(/[ \t]{2,}/g, ' ');
}

const view = (m: store.MacroRow) => ({
  id: m.id,
  name: m.name,
  language: m.language,
  body: m.body,
  setStatus: m.set_status,
  updatedAt: new Date(m.updated_at).toISOString(),
});

export interface MacroInput {
  name: string;
  language: string;
  body: string;
  setStatus?: 'open' | 'pending' | 'resolved' | null;
}

export function createMacros(deps: {
  db: Pick<Database, 'withTenant'>;
  audit: AuditRecorder;
  panel: Pick<CustomerPanel, 'view'>;
}) {
  const { db, audit } = deps;
  const event = (ctx: TenantContext, action: string, id: string, meta: Record<string, string | null>) => ({
    ...auditBase(ctx),
    action,
    resourceType: 'macro',
    resourceId: id,
    outcome: 'success' as const,
    meta,
  });
  const unique = (e: unknown): never => {
    if (pgErrorOf(e).code === '23505')
      throw new VigilError('conflict', 'a macro with this name exists in this language');
    throw e;
  };

  const list = (ctx: TenantContext, language?: string) =>
    db.withTenant(ctx.tenant.id, async (tx) => ({ items: (await store.listMacros(tx, language)).map(view) }));

  async function create(ctx: TenantContext, input: MacroInput) {
    checkPlaceholders(input.body);
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const m = await store.insertMacro(
        tx,
        ctx.tenant.id,
        { ...input, setStatus: input.setStatus ?? null },
        ctx.actor.id,
      );
      if (!m) throw new VigilError('conflict', 'a macro with this name exists in this language');
      await audit.inTx(tx, event(ctx, 'macro.create', m.id, { language: m.language }));
      return view(m);
    });
  }

  async function update(ctx: TenantContext, id: string, patch: Partial<MacroInput>) {
    if (patch.body !== undefined) checkPlaceholders(patch.body);
    return db
      .withTenant(ctx.tenant.id, async (tx) => {
        const m = await store.updateMacro(tx, id, patch);
        if (!m) throw new VigilError('not_found', 'macro not found');
        await audit.inTx(tx, event(ctx, 'macro.update', m.id, { language: m.language }));
        return view(m);
      })
      .catch((e: unknown) => (e instanceof VigilError ? Promise.reject(e) : unique(e)));
  }

  async function remove(ctx: TenantContext, id: string) {
    await db.withTenant(ctx.tenant.id, async (tx) => {
      if (!(await store.deleteMacro(tx, id))) throw new VigilError('not_found', 'macro not found');
      await audit.inTx(tx, event(ctx, 'macro.delete', id, {}));
    });
  }

  /** The macro's text for this conversation, filled and guarded, for the agent's reply box. */
  async function render(ctx: TenantContext, conversationId: string, macroId: string) {
    const macro = await db.withTenant(ctx.tenant.id, (tx) => store.getMacro(tx, macroId));
    if (!macro) throw new VigilError('not_found', 'macro not found');
    const panel = await deps.panel.view(ctx, conversationId);
    const clear = (f: string) => panel.fields.find((x) => x.field === f)?.values ?? [];
    const name = clear('name')[0] ?? '';
    const agent = ctx.actor.id
      ? ((await db.withTenant(ctx.tenant.id, (tx) => store.displayName(tx, ctx.actor.id!))) ?? '')
      : '';
    const text = fill(macro.body, {
      'customer.name': name,
      'customer.firstName': name.split(/\s+/)[0] ?? '',
      'customer.lastName': name.includes(' ') ? name.split(/\s+/).slice(1).join(' ') : '',
      'customer.ref': panel.ref,
      'agent.name': agent,
      'agent.firstName': agent.split(/\s+/)[0] ?? '',
    }).trim();
    const verdict = guardOutbound(text, { emails: clear('emails'), phones: clear('phones') });
    const outcome = (action: string, ok: boolean, meta: Record<string, string>) =>
      audit.standalone({
        ...auditBase(ctx),
        action,
        resourceType: 'conversation',
        resourceId: conversationId,
        outcome: ok ? 'success' : 'denied',
        meta: { macroId, ...meta },
      });
    if (!verdict.allowed) {
      await outcome('automation.reply.blocked', false, { source: 'macro', types: verdict.blocked.join(',') });
      throw new VigilError('outbound_blocked', 'the macro would disclose protected data', {
        details: verdict.blocked.map((t) => ({ path: '/body', message: t })),
      });
    }
    await outcome('macro.use', true, {});
    return { macroId, text, setStatus: macro.set_status };
  }

  return { list, create, update, remove, render };
}

export type Macros = ReturnType<typeof createMacros>;
