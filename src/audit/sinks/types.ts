/** A SIEM destination. `deliver` gets one chain's events in seq order and throws on failure;
 * the exporter then retries the same batch with back-off (at-least-once delivery). */
import type { AuditEvent } from '../types.ts';

export interface AuditSink {
  readonly id: string;
  /** Only this chain (tenant id); undefined = every chain. */
  readonly chain?: string;
  deliver(tenantId: string | null, events: AuditEvent[]): Promise<void>;
  close?(): Promise<void>;
}
