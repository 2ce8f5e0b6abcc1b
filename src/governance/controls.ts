// Live technical controls a DPIA measure can link to. Each state is read from the owning domain
// at the moment of asking (never typed in) and fingerprinted, so a signed DPIA notices when a
// control it relies on changes (e.g. the MFA policy is relaxed) and asks for a review.
import { createHash } from 'node:crypto';
import type { TenantContext } from '../platform/context.ts';
import type { Tx } from '../platform/db.ts';
import { selectForcedRlsTables } from './store-dpia.ts';

export const CONTROL_KEYS = [
  'mfa_enforced',
  'rls',
  'subject_encryption',
  'retention_rules',
  'pii_policy',
  'monitoring_rules',
] as const;
export type ControlKey = (typeof CONTROL_KEYS)[number];

export interface ControlState {
  key: ControlKey;
  ok: boolean;
  summary: string;
  fingerprint: string;
}

type Reading = { ok: boolean; summary: string; detail: unknown };
type SystemCtx = Pick<TenantContext, 'tenant' | 'actor' | 'ip' | 'uaHash' | 'requestId'>;

/** What the owning domains expose, narrowed to the reads a DPIA needs. */
export interface LiveControlSources {
  withTenant<T>(tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** identity: roles under the phishing-resistant factor policy (null = all roles). */
  phishingResistantRoles(tx: Tx, tenantId: string): Promise<Array<string | null>>;
  /** crypto: which key provider wraps the tenant and subject keys. */
  keyProvider: string;
  /** compliance: the tenant's retention policies. */
  retentionPolicies(ctx: SystemCtx): Promise<Array<{ category: string; days: number; enabled: boolean }>>;
  /** ingest: the tenant's effective PII policy. */
  piiPolicy(tx: Tx, tenantId: string): Promise<unknown>;
  /** monitoring: the tenant's effective insider-threat rules. */
  monitoringRules(tenantId: string): unknown[];
}

const fingerprint = (detail: unknown) =>
  createHash('sha256').update(JSON.stringify(detail)).digest('hex').slice(0, 32);

export function createLiveControls(src: LiveControlSources) {
  const readers: Record<ControlKey, (ctx: SystemCtx) => Promise<Reading>> = {
    async mfa_enforced(ctx) {
      const roles = await src.withTenant(ctx.tenant.id, (tx) =>
        src.phishingResistantRoles(tx, ctx.tenant.id),
      );
      const which = roles.includes(null) ? 'all roles' : roles.length ? roles.join(', ') : 'no role';
      return {
        ok: true,
        summary: `second factor required for every member; phishing-resistant factor required for ${which}`,
        detail: roles,
      };
    },
    async rls(ctx) {
      const tables = await src.withTenant(ctx.tenant.id, selectForcedRlsTables);
      const core = ['customers', 'conversations', 'messages'].every((t) => tables.includes(t));
      return {
        ok: core,
        summary: `row-level security forced on ${tables.length} tenant tables`,
        detail: tables,
      };
    },
    async subject_encryption() {
      return {
        ok: true,
        summary: `personal fields under a key per data subject (AES-256-GCM), keys wrapped by ${src.keyProvider}`,
        detail: src.keyProvider,
      };
    },
    async retention_rules(ctx) {
      const p = (await src.retentionPolicies(ctx)).filter((x) => x.enabled);
      const detail = p.map((x) => [x.category, x.days]);
      return {
        ok: p.length > 0,
        summary: p.length
          ? p.map((x) => `${x.category} ${x.days} d`).join(', ')
          : 'no retention rule enabled',
        detail,
      };
    },
    async pii_policy(ctx) {
      const policy = await src.withTenant(ctx.tenant.id, (tx) => src.piiPolicy(tx, ctx.tenant.id));
      return { ok: true, summary: `PII policy ${fingerprint(policy).slice(0, 8)}`, detail: policy };
    },
    async monitoring_rules(ctx) {
      const rules = src.monitoringRules(ctx.tenant.id) as Array<{ enabled?: boolean }>;
      const on = rules.filter((r) => r.enabled !== false).length;
      return { ok: on > 0, summary: `${on} of ${rules.length} insider-threat rules enabled`, detail: rules };
    },
  };

  async function read(ctx: SystemCtx, keys: readonly ControlKey[]): Promise<ControlState[]> {
    const out: ControlState[] = [];
    for (const key of keys) {
      const r = await readers[key](ctx);
      out.push({ key, ok: r.ok, summary: r.summary, fingerprint: fingerprint(r.detail) });
    }
    return out;
  }

  return { read };
}

export type LiveControls = ReturnType<typeof createLiveControls>;
