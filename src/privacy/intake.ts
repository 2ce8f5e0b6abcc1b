// Subject requests that arrive through the public intake (src/governance): the requester proved
// control of the address on file with a one-time code, so the request enters the DPO's register
// like one staff verified, with the intake record as the verifier and its receipt time and
// Art. 12(3) deadline (one month, extended by up to two more with a reason).
import { sql } from 'drizzle-orm';
import type { AuditEventInput, AuditRecorder } from '../platform/audit-port.ts';
import { rows, type Tx } from '../platform/db.ts';
import type { RequestType } from './service.ts';

export async function createIntakeRequest(
  tx: Tx,
  audit: AuditRecorder,
  r: {
    tenantId: string;
    customerId: string;
    type: RequestType;
    intakeId: string;
    receivedAt: string;
    dueAt: string;
    /** How the requester proved control of the contact on file. */
    identityMethod: 'email_confirmation' | 'sms_confirmation';
  },
  event: (id: string) => AuditEventInput,
): Promise<string> {
  const [row] = await rows<{ id: string }>(
    tx,
    sql`insert into subject_requests (tenant_id, customer_id, type, received_at, due_at, identity_method,
          identity_verified_by, created_by)
        values (${r.tenantId}, ${r.customerId}, ${r.type}, ${r.receivedAt}::timestamptz, ${r.dueAt}::timestamptz,
          ${r.identityMethod}, ${r.intakeId}, ${r.intakeId})
        returning id`,
  );
  await audit.inTx(tx, event(row!.id));
  return row!.id;
}

export async function setRequestDeadline(tx: Tx, id: string, dueAt: string): Promise<void> {
  await tx.execute(sql`update subject_requests set due_at = ${dueAt}::timestamptz where id = ${id}`);
}

export async function completeRequest(tx: Tx, id: string): Promise<void> {
  await tx.execute(sql`update subject_requests set state = 'completed', completed_at = now()
    where id = ${id} and state = 'received'`);
}

/** Where the DPO stands with intake requests: the requester's status page shows the outcome. */
export async function requestStates(tx: Tx, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const r = await rows<{ id: string; state: string }>(
    tx,
    sql`select id, state from subject_requests where id in (${sql.join(
      ids.map((i) => sql`${i}`),
      sql`, `,
    )})`,
  );
  return new Map(r.map((x) => [x.id, x.state]));
}
