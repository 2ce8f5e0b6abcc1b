// Routing by language: the first customer message of a new chat or e-mail conversation is
// detected (detect.ts) and, when the tenant maps that language to a queue, the conversation
// opens in that queue. The map is tenant configuration: changes are validated (the queue must
// be the tenant's own) and audited with ids and language codes only.
import { auditBase } from '../ingest/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database, Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { detectLanguage } from './detect.ts';
import type { Language } from './provider.ts';
import * as store from './routing-store.ts';

export interface LanguageRoutingDeps {
  db: Pick<Database, 'withTenant'>;
  audit: Pick<AuditRecorder, 'inTx'>;
}

/** What the ingest pipeline asks when it opens a conversation: its language and queue, if routed. */
export type LanguageRouter = (
  tx: Tx,
  text: string,
) => Promise<{ language: Language | null; queueId: string | null }>;

/** Detects the language of the text and looks up the tenant's route for it (inside the caller's tx). */
export const routeByLanguage: LanguageRouter = async (tx, text) => {
  const { language } = detectLanguage(text);
  return { language, queueId: language ? await store.queueFor(tx, language) : null };
};

export function createLanguageRouting(deps: LanguageRoutingDeps) {
  const { db, audit } = deps;
  const view = (r: store.LanguageRouteRow) => ({
    language: r.language,
    queueId: r.queue_id,
    updatedAt: new Date(r.updated_at).toISOString(),
  });

  const list = (ctx: TenantContext) =>
    db.withTenant(ctx.tenant.id, async (tx) => ({ items: (await store.listRoutes(tx)).map(view) }));

  async function set(ctx: TenantContext, language: Language, queueId: string) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      // Another tenant's queue looks exactly like a missing one here (RLS): one answer for both.
      if (!(await store.queueExists(tx, queueId)))
        throw new VigilError('unknown_queue', 'the queue does not exist in this tenant');
      await store.upsertRoute(tx, { tenantId: ctx.tenant.id, language, queueId, updatedBy: ctx.actor.id });
      await audit.inTx(tx, {
        ...auditBase(ctx),
        action: 'language_route.set',
        resourceType: 'queue',
        resourceId: queueId,
        outcome: 'success',
        meta: { language },
      });
      return { language, queueId };
    });
  }

  async function remove(ctx: TenantContext, language: Language) {
    await db.withTenant(ctx.tenant.id, async (tx) => {
      if (!(await store.deleteRoute(tx, language)))
        throw new VigilError('not_found', 'no route for this language');
      await audit.inTx(tx, {
        ...auditBase(ctx),
        action: 'language_route.delete',
        resourceType: 'tenant',
        resourceId: ctx.tenant.id,
        outcome: 'success',
        meta: { language },
      });
    });
    return { language, deleted: true };
  }

  return { list, set, remove };
}

export type LanguageRouting = ReturnType<typeof createLanguageRouting>;
