// Tenant offboarding (platform admin): first a complete export for the client company (every
// customer's subject export, the Art. 30 record, the retention policies), whose SHA-256 digest is
// recorded in the audit log; then the purge, which requires that digest — so no tenant is purged
// without a handed-over export — deletes the tenant's operational data, crypto-shreds the tenant
// keys (DEKs, index key, every subject key), marks the tenant offboarded and writes the
// certificate (counts, key ids, ledger seq) to the tenant's and the platform's audit chains.
// Kept: the audit chains (ids only, still verifiable) and the compliance records without personal
// data (subject requests, erasure tombstones, breaches, retention runs, access reviews).
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Keyring } from '../crypto/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { RequestContext, TenantContext } from '../platform/context.ts';
import { type Database, rows } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import type { PrivacyService } from '../privacy/index.ts';
import { revokeApiTokens } from '../tenancy/index.ts';
import type { Ropa } from './ropa.ts';

export interface OffboardingDeps {
  db: Database;
  keyring: Pick<Keyring, 'shredTenant'>;
  audit: AuditRecorder;
  privacy: Pick<PrivacyService, 'exportSubject'>;
  ropa: Pick<Ropa, 'get'>;
}

// Deleted in this order (children first); every statement filters by tenant_id.
const DATA_TABLES = [
  'pii_tokens',
  'calls',
  'conversation_verifications',
  'file_scans',
  'chat_attachments',
  'email_attachments',
  'email_messages',
  'messages',
  'conversations',
  'chat_visitors',
  'customer_identifiers',
  'customer_contact_keys',
  'customer_restrictions',
  'consent_records',
  'legal_holds',
  'customers',
  'chat_widget_settings',
  'email_inbound_addresses',
  'tenant_pii_policies',
  'tenant_rate_limits',
  'verification_policies',
  'queue_members',
  'queues',
  // The security team's notification addresses and the alerts queued for them.
  'alert_deliveries',
  'alert_channels',
] as const;

/** The digest as the audit log keeps it: grouped by ':' so no run of digits looks like a number. */
const grouped = (hex: string) => (hex.match(/.{1,4}/g) ?? []).join(':');

export function createOffboarding(deps: OffboardingDeps) {
  const { db, keyring, audit } = deps;

  async function tenantBySlug(slug: string) {
    const [t] = await db.withPlatform((tx) =>
      rows<{ id: string; slug: string; name: string; status: string }>(
        tx,
        sql`select id, slug, name, status from tenants where slug = ${slug}`,
      ),
    );
    if (!t) throw new VigilError('not_found', 'tenant not found');
    return t;
  }

  const platformEvent = (
    ctx: RequestContext,
    action: string,
    tenantId: string,
    meta: Record<string, string | number | boolean | null>,
  ) => ({
    tenantId: null,
    actorType: 'user' as const,
    actorId: ctx.actor.id,
    action,
    resourceType: 'tenant',
    resourceId: tenantId,
    outcome: 'success' as const,
    ip: ctx.ip || null,
    uaHash: ctx.uaHash || null,
    requestId: ctx.requestId,
    meta,
  });

  async function exportTenant(ctx: RequestContext, slug: string) {
    const t = await tenantBySlug(slug);
    if (t.status === 'offboarded') throw new VigilError('data_erased', 'the tenant was offboarded');
    const tctx: TenantContext = { ...ctx, tenant: { id: t.id, slug: t.slug, name: t.name } };
    const ids = await db.withTenant(t.id, (tx) =>
      rows<{ id: string }>(tx, sql`select id from customers where erased_at is null order by created_at, id`),
    );
    const customers = [];
    for (const c of ids) customers.push(await deps.privacy.exportSubject(tctx, c.id));
    const policies = await db.withTenant(t.id, (tx) =>
      rows<{ category: string; days: number; enabled: boolean }>(
        tx,
        sql`select category, days, enabled from retention_policies order by category`,
      ),
    );
    const processingRecord = (await deps.ropa.get(tctx)).document;
    const body = {
      format: 'vigil.tenant-export.v1',
      tenant: { id: t.id, slug: t.slug, name: t.name },
      generatedAt: new Date().toISOString(),
      customers,
      retentionPolicies: policies,
      processingRecord,
    };
    const digest = createHash('sha256').update(JSON.stringify(body)).digest('hex');
    await audit.standalone(
      platformEvent(ctx, 'tenant.offboarding.export', t.id, {
        digest: grouped(digest),
        customers: customers.length,
      }),
    );
    return { ...body, digest };
  }

  async function purge(
    ctx: RequestContext,
    slug: string,
    input: { confirmSlug: string; exportDigest: string },
  ) {
    const t = await tenantBySlug(slug);
    if (input.confirmSlug !== t.slug)
      throw new VigilError('unprocessable', 'the confirmation does not name this tenant');
    if (t.status === 'offboarded') throw new VigilError('data_erased', 'the tenant was offboarded');
    const [last] = await db.withPlatform((tx) =>
      rows<{ digest: string | null }>(
        tx,
        sql`select meta ->> 'digest' as digest from audit_events where tenant_id is null and action = 'tenant.offboarding.export'
            and resource_id = ${t.id} order by seq desc limit 1`,
      ),
    );
    if (!last?.digest || last.digest !== grouped(input.exportDigest))
      throw new VigilError(
        'conflict',
        'export the tenant data first and confirm with the digest of that export',
      );
    const certificate = await db.withOwner(async (tx) => {
      const counts: Record<string, number> = {};
      for (const table of DATA_TABLES) {
        const [r] = await rows<{ n: number }>(
          tx,
          sql`with d as (delete from ${sql.identifier(table)} where tenant_id = ${t.id} returning 1) select count(*)::int as n from d`,
        );
        counts[table] = r?.n ?? 0;
      }
      const tokens = await revokeApiTokens(tx, t.id);
      const members = await rows<{ n: number }>(
        tx,
        sql`with d as (delete from memberships where tenant_id = ${t.id} returning 1) select count(*)::int as n from d`,
      );
      const shred = await keyring.shredTenant(t.id, tx);
      await tx.execute(sql`update tenants set status = 'offboarded' where id = ${t.id}`);
      const cert = {
        exportDigest: grouped(input.exportDigest),
        customers: counts.customers ?? 0,
        conversations: counts.conversations ?? 0,
        messages: counts.messages ?? 0,
        calls: counts.calls ?? 0,
        consentRecords: counts.consent_records ?? 0,
        memberships: members[0]?.n ?? 0,
        apiTokensRevoked: tokens,
        keysShredded: shred.entry.keyIds.length,
        keyDestroyed: shred.destroyed,
        ledgerSeq: shred.entry.seq,
      };
      await audit.inTx(tx, {
        ...platformEvent(ctx, 'tenant.offboarding.certificate', t.id, cert),
        tenantId: t.id,
      });
      return cert;
    });
    await audit.standalone(platformEvent(ctx, 'tenant.offboarding.certificate', t.id, certificate));
    return { tenant: { id: t.id, slug: t.slug, status: 'offboarded' }, certificate };
  }

  return { exportTenant, purge };
}

export type Offboarding = ReturnType<typeof createOffboarding>;
