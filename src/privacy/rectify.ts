// Rectification (Art. 16) as an action: the DPO applies the change through the open
// rectification request. The request keeps the evidence — the changed fields before and after —
// sealed under the customer's subject key like the customer data (an erasure shreds it too),
// and is completed; the audit log records which fields changed (never the values).
import { sql } from 'drizzle-orm';
import type { Keyring } from '../crypto/index.ts';
import type { CustomerInput } from '../customers/schema.ts';
import type { CustomerService } from '../customers/service.ts';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';

export interface RectificationEvidence {
  appliedAt: string;
  appliedBy: string | null;
  fields: string[];
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

export interface RectificationDeps {
  db: Pick<Database, 'withTenant'>;
  keyring: Pick<Keyring, 'encryptField' | 'decryptFieldText'>;
  audit: AuditRecorder;
  customers: Pick<CustomerService, 'rectifyInTx'>;
}

const evidenceField = (tenantId: string, requestId: string, customerId: string) => ({
  tenantId,
  table: 'subject_requests',
  column: 'rectification_enc',
  rowId: requestId,
  subjectId: customerId,
});

export function createRectification(deps: RectificationDeps) {
  const { db, keyring, audit, customers } = deps;

  async function rectify(ctx: TenantContext, customerId: string, requestId: string, changes: CustomerInput) {
    const tenantId = ctx.tenant.id;
    const fields = Object.keys(changes).sort();
    if (!fields.length) throw new VigilError('invalid_input', 'name at least one field to rectify');
    return db.withTenant(tenantId, async (tx) => {
      const [r] = await rows<{ customer_id: string; type: string; state: string }>(
        tx,
        sql`select customer_id, type, state from subject_requests where id = ${requestId}`,
      );
      if (!r) throw new VigilError('not_found', 'subject request not found');
      if (r.customer_id !== customerId || r.type !== 'rectification')
        throw new VigilError('conflict', 'the subject request does not match this action');
      if (r.state !== 'received') throw new VigilError('conflict', 'the subject request is already closed');
      const change = await customers.rectifyInTx(tx, tenantId, customerId, changes);
      const evidence: RectificationEvidence = {
        appliedAt: new Date().toISOString(),
        appliedBy: ctx.actor.id,
        fields,
        ...change,
      };
      const sealed = await keyring.encryptField(
        evidenceField(tenantId, requestId, customerId),
        JSON.stringify(evidence),
        tx,
      );
      await tx.execute(sql`update subject_requests set rectification_enc = ${sealed}, state = 'completed',
        completed_at = now() where id = ${requestId}`);
      await audit.inTx(
        tx,
        userAction(ctx, 'privacy.rectify', 'customer', customerId, { requestId, fields: fields.join(',') }),
      );
      return { customerId, requestId, rectification: evidence };
    });
  }

  /** The evidence on a request, for the DPO (null when none, or erased with the customer). */
  async function evidenceOf(
    tx: Tx,
    tenantId: string,
    requestId: string,
  ): Promise<RectificationEvidence | null> {
    const [r] = await rows<{ customer_id: string; e: Uint8Array | null }>(
      tx,
      sql`select customer_id, rectification_enc as e from subject_requests where id = ${requestId}`,
    );
    if (!r?.e) return null;
    try {
      const text = await keyring.decryptFieldText(
        evidenceField(tenantId, requestId, r.customer_id),
        Buffer.from(r.e),
        tx,
      );
      return JSON.parse(text) as RectificationEvidence;
    } catch (e) {
      if (e instanceof VigilError && e.code === 'data_erased') return null;
      throw e;
    }
  }

  return { rectify, evidenceOf };
}

export type Rectification = ReturnType<typeof createRectification>;
