// The narrow interface through which every module records audit events. The audit module
// implements it (see runtime.ts); others depend only on this port.
import type { AuditEventInput } from '../audit/types.ts';
import type { Tx } from './db.ts';

export type { AuditEventInput };

export interface AuditRecorder {
  /** Records inside the caller's transaction: the action and its audit event commit together. */
  inTx(tx: Tx, event: AuditEventInput): Promise<void>;
  /** Records in its own transaction (reads: recorded before the data is returned). */
  standalone(event: AuditEventInput): Promise<void>;
}
