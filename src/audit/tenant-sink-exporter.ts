// Delivery to the tenants' own sinks. Each poll loads the enabled sinks; every sink is pumped
// independently (its own chain only, its own cursor, its own back-off), concurrently, so a slow
// or dead sink delays nobody else and never blocks appends. Failures are recorded on the sink
// (count, a data-free error, last delivery time) for the tenant's status view.
import { sql } from 'drizzle-orm';
import type { Keyring } from '../crypto/keyring.ts';
import { type Database, rows } from '../platform/db.ts';
import { backoffDelay, createAuditExporter } from './exporter.ts';
import type { SinkFormat } from './formats.ts';
import { createWebhookSink } from './sinks/webhook.ts';
import { assertPublicTarget, deliveryError, secretField, tenantSinkId } from './tenant-sinks.ts';

export interface TenantSinkExporterOptions {
  db: Database;
  keyring: Pick<Keyring, 'decryptFieldText'>;
  pollMs?: number;
  batchSize?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  allowPrivateTargets?: boolean;
  onError?: (sinkId: string, error: string) => void;
}

interface SinkRow {
  id: string;
  tenant_id: string;
  url: string;
  format: SinkFormat;
  secret_enc: Uint8Array;
  failures: number;
}

export function createTenantSinkExporter(o: TenantSinkExporterOptions) {
  const pollMs = o.pollMs ?? 1000;
  const initialMs = o.backoff?.initialMs ?? 500;
  const maxMs = o.backoff?.maxMs ?? 60_000;
  const pumper = createAuditExporter({ db: o.db, sinks: [], batchSize: o.batchSize ?? 500 });
  const inFlight = new Map<string, Promise<void>>();
  const notBefore = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;

  async function pumpOne(s: SinkRow): Promise<void> {
    try {
      const secret = await o.keyring.decryptFieldText(
        secretField(s.tenant_id, s.id),
        Buffer.from(s.secret_enc),
      );
      const sink = createWebhookSink({
        id: tenantSinkId(s.id),
        url: s.url,
        secret,
        format: s.format,
        chain: s.tenant_id,
        ...(o.allowPrivateTargets ? {} : { guard: assertPublicTarget }),
      });
      const n = await pumper.pump(sink);
      notBefore.delete(s.id);
      if (n > 0 || s.failures > 0) {
        await o.db.withOwner((tx) =>
          tx.execute(sql`update audit_tenant_sinks set failures = 0, last_error = null,
            last_delivery_at = case when ${n} > 0 then now() else last_delivery_at end where id = ${s.id}::uuid`),
        );
      }
    } catch (e) {
      const failures = s.failures + 1;
      const error = deliveryError(e);
      notBefore.set(s.id, Date.now() + backoffDelay(failures, initialMs, maxMs));
      o.onError?.(tenantSinkId(s.id), error);
      await o.db
        .withOwner((tx) =>
          tx.execute(
            sql`update audit_tenant_sinks set failures = failures + 1, last_error = ${error} where id = ${s.id}::uuid`,
          ),
        )
        .catch(() => {});
    }
  }

  /** One round: starts a pump for every enabled sink that is due and not already running. */
  async function tick(): Promise<void> {
    const sinks = await o.db.withOwner((tx) =>
      rows<SinkRow>(
        tx,
        sql`select id::text as id, tenant_id::text as tenant_id, url, format, secret_enc, failures from audit_tenant_sinks where enabled`,
      ),
    );
    const now = Date.now();
    for (const s of sinks) {
      if (inFlight.has(s.id) || (notBefore.get(s.id) ?? 0) > now) continue;
      const p = pumpOne(s).finally(() => inFlight.delete(s.id));
      inFlight.set(s.id, p);
    }
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      tick()
        .catch(() => {})
        .finally(schedule);
    }, pollMs);
  };

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...inFlight.values()]);
    },
    /** Delivers everything pending to every due sink once and waits for it (tests, CLI). */
    async drain(): Promise<void> {
      await tick();
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}
