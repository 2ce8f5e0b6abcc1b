// DSAR export time for one data subject with 10,000 messages (decrypt every message, access
// history from the audit log, JSON), against a baseline measured in the same run: a plain SELECT
// of the same rows without decryption.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { systemContext } from '../src/ingest/index.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createPrivacyService } from '../src/privacy/index.ts';
import { startVigil } from '../src/runtime.ts';
import { round } from './util.ts';

export async function benchDsar(opts: { databaseUrl?: string; messages?: number } = {}) {
  const n = opts.messages ?? 10_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-dsar-'));
  const config = loadConfig(
    {},
    { port: 0, dataDir, logLevel: 'warn', ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}) },
  );
  const v = await startVigil(config);
  try {
    const slug = `bench-dsar-${Date.now().toString(36)}`;
    const { id: tenantId } = await v.tenancy.createTenant({ slug, name: 'Bench' });
    const tenant = { id: tenantId, slug, name: 'Bench' };
    const ctx = systemContext(tenant);
    const first = await v.app.contact!.ingest.ingestMessage(ctx, {
      channel: 'chat',
      direction: 'inbound',
      author: { type: 'visitor', id: null },
      text: 'Hallo, ich habe eine Frage zu meiner Bestellung.',
      newConversation: { channel: 'chat', customer: { name: 'Bench Kunde' } },
    });
    // The remaining messages: encrypted under the subject key like the pipeline does, written in
    // batches (the pipeline's per-message scan is not what this benchmark measures).
    const body = 'Meine Bestellung 4711 ist noch nicht angekommen, bitte um Rückmeldung. Viele Grüße';
    for (let done = 1; done < n; ) {
      await v.core.db.withTenant(tenantId, async (tx) => {
        for (let i = 0; i < 500 && done < n; i++, done++) {
          const id = randomUUID();
          const enc = await v.core.keyring.encryptField(
            { tenantId, table: 'messages', column: 'body_enc', rowId: id, subjectId: first.customerId },
            body,
            tx,
          );
          await tx.execute(sql`insert into messages (id, tenant_id, conversation_id, subject_id, channel, kind, direction, author_type, body_enc)
            values (${id}, ${tenantId}, ${first.conversationId}, ${first.customerId}, 'chat', 'message', ${i % 2 ? 'outbound' : 'inbound'}, ${i % 2 ? 'agent' : 'visitor'}, ${enc})`);
        }
      });
    }
    const privacy = createPrivacyService({
      db: v.core.db,
      keyring: v.core.keyring,
      audit: v.core.audit,
      auditLog: v.core.auditLog,
    });
    const dpoCtx = systemContext(tenant, { actor: { type: 'system', id: null } });
    v.core.keyring.clearCache();
    const t0 = performance.now();
    const out = await privacy.exportSubject(dpoCtx, first.customerId);
    const json = JSON.stringify(out);
    const exportMs = performance.now() - t0;
    const t1 = performance.now();
    const raw = await v.core.db.withTenant(tenantId, (tx) =>
      tx.execute(
        sql`select id, body_enc, created_at from messages where conversation_id = ${first.conversationId} order by seq`,
      ),
    );
    const baselineMs = performance.now() - t1;
    const exported = out.erased
      ? 0
      : ((out.conversations[0]?.messages as unknown[] | undefined) ?? []).length;
    return {
      db: v.core.db.kind,
      messages: exported,
      exportMs: round(exportMs),
      exportBytes: json.length,
      messagesPerSecond: round(exported / (exportMs / 1000)),
      baselineSelectMs: round(baselineMs),
      baselineRows: (raw as unknown as { rows: unknown[] }).rows.length,
      slowdownVsSelect: round(exportMs / baselineMs),
    };
  } finally {
    await v.stop();
  }
}
