// The tenant's PII policy: stored in tenant_pii_policies, validated on every load (so a bad or
// hand-edited row can never weaken the PCI rules), cached briefly. Default: pii.defaultPolicy.
import { sql } from 'drizzle-orm';
import { defaultPolicy, type PiiPolicy, validatePolicy } from '../pii/index.ts';
import { rows, type Tx } from '../platform/db.ts';

const TTL_MS = 5_000;

export interface PolicyStore {
  policyFor(tx: Tx, tenantId: string): Promise<PiiPolicy>;
  setPolicy(tx: Tx, tenantId: string, policy: unknown): Promise<{ warnings: string[] }>;
}

export function createPolicyStore(): PolicyStore {
  const cache = new Map<string, { at: number; policy: PiiPolicy }>();
  return {
    async policyFor(tx, tenantId) {
      const hit = cache.get(tenantId);
      if (hit && Date.now() - hit.at < TTL_MS) return hit.policy;
      const [row] = await rows<{ policy: unknown }>(
        tx,
        sql`select policy from tenant_pii_policies where tenant_id = ${tenantId}`,
      );
      const policy = row ? validatePolicy(row.policy).policy : defaultPolicy;
      if (cache.size > 10_000) cache.clear();
      cache.set(tenantId, { at: Date.now(), policy });
      return policy;
    },
    async setPolicy(tx, tenantId, input) {
      const { policy, warnings } = validatePolicy(input);
      await tx.execute(sql`insert into tenant_pii_policies (tenant_id, policy) values (${tenantId}, ${JSON.stringify(policy)}::jsonb)
        on conflict (tenant_id) do update set policy = excluded.policy, updated_at = now()`);
      cache.delete(tenantId);
      return { warnings };
    },
  };
}
