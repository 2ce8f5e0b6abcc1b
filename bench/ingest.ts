// Secure ingest (scan → policy → encrypt → persist → audit) against a raw INSERT of the same row
// through the same driver, in one run.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { systemContext } from '../src/ingest/index.ts';
import { loadConfig } from '../src/platform/config.ts';
import { startVigil } from '../src/runtime.ts';
import { round } from './util.ts';

const TEXT =
  'Hallo, ich habe meine Bestellung 4711-2231 noch nicht erhalten. Meine IBAN ist DE89 3704 0044 0532 0130 00, bitte um Rückruf unter 0171 2345678. Viele Grüße';

export async function benchIngest(opts: { databaseUrl?: string; messages?: number } = {}) {
  const n = opts.messages ?? 400;
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-ingest-'));
  const config = loadConfig(
    {},
    { port: 0, dataDir, logLevel: 'warn', ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}) },
  );
  const v = await startVigil(config);
  try {
    const slug = `bench-${Date.now().toString(36)}`;
    const { id: tenantId } = await v.tenancy.createTenant({ slug, name: 'Bench' });
    const contact = v.app.contact?.ingest;
    if (!contact) throw new Error('contact center not available');
    const ctx = systemContext({ id: tenantId, slug, name: 'Bench' });
    const first = await contact.ingestMessage(ctx, {
      channel: 'chat',
      direction: 'inbound',
      author: { type: 'visitor', id: null },
      text: TEXT,
      newConversation: { channel: 'chat', customer: { name: 'Bench Kunde' } },
    });
    // Secure and raw run in alternating rounds, so that load from elsewhere on the machine
    // falls on both sides of the ratio alike.
    const body = Buffer.from(TEXT);
    const rounds = 10;
    const per = Math.max(1, Math.floor(n / rounds));
    let secureMs = 0;
    let rawMs = 0;
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      for (let i = r * per; i < (r + 1) * per; i++) {
        await contact.ingestMessage(ctx, {
          channel: 'chat',
          direction: 'inbound',
          author: { type: 'visitor', id: null },
          text: TEXT,
          idempotencyKey: `bench:${i}`,
          conversationId: first.conversationId,
        });
      }
      secureMs += performance.now() - t0;
      const t1 = performance.now();
      for (let i = 0; i < per; i++) {
        await v.core.db.withTenant(tenantId, (tx) =>
          tx.execute(sql`insert into messages (id, tenant_id, conversation_id, subject_id, channel, kind, direction, author_type, body_enc)
            values (${randomUUID()}, ${tenantId}, ${first.conversationId}, ${first.customerId}, 'chat', 'message', 'inbound', 'visitor', ${body})`),
        );
      }
      rawMs += performance.now() - t1;
    }
    const secure = (per * rounds) / (secureMs / 1000);
    const raw = (per * rounds) / (rawMs / 1000);
    return {
      db: v.core.db.kind,
      messages: per * rounds,
      secureIngestPerSec: round(secure, 0),
      rawInsertPerSec: round(raw, 0),
      ratio: round(secure / raw, 3),
    };
  } finally {
    await v.stop();
  }
}
