// A backup taken before an erasure, restored with the erasure ledger replayed: for the erased
// subject the restored system answers exactly as the live one did (the conversation 404, the
// customer 410, the export "erased", no metadata rows left), while others' data is intact.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createBackup } from '../../src/backup/dump.ts';
import { restoreBackup } from '../../src/backup/restore.ts';
import { rows } from '../../src/platform/db.ts';
import { newConversation } from '../compliance/helpers.ts';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { createTestDatabase, testDbKind } from '../helpers/db.ts';

const dirs: string[] = [];
const closers: Array<() => Promise<void>> = [];

/** What a DPO and a supervisor see of one subject through the API. */
async function observe(v: TestVigil, slug: string, customerId: string, convIds: string[]) {
  const sup = await v.login(await v.makeUser([{ role: 'supervisor', tenant: slug }]));
  const dpo: Session = await v.login(await v.makeUser([{ role: 'dpo', tenant: slug }]));
  const base = `/api/v1/tenants/${slug}`;
  const ex = await v.call('GET', `${base}/privacy/customers/${customerId}/export`, undefined, dpo);
  const { generatedAt: _, ...exported } = ex.json;
  const list = await v.call('GET', `${base}/conversations?limit=100`, undefined, sup);
  const reads = [];
  for (const id of convIds)
    reads.push((await v.call('GET', `${base}/conversations/${id}`, undefined, sup)).status);
  const leftover = await v.core.db.withOwner((tx) =>
    rows<{ t: string; n: number }>(
      tx,
      sql`select 'conversations' as t, count(*)::int as n from conversations where customer_id = ${customerId}
          union all select 'messages', count(*)::int from messages where subject_id = ${customerId}
          union all select 'pii_tokens', count(*)::int from pii_tokens where subject_id = ${customerId}
          union all select 'identifiers', count(*)::int from customer_identifiers where customer_id = ${customerId}
          union all select 'named', count(*)::int from customers where id = ${customerId} and name_enc is not null`,
    ),
  );
  return {
    exportStatus: ex.status,
    exported,
    customer: (await v.call('GET', `${base}/customers/${customerId}`, undefined, sup)).status,
    listed: (list.json.items as Array<{ id: string }>).map((c) => c.id).sort(),
    reads,
    leftover: Object.fromEntries(leftover.map((r) => [r.t, r.n])),
  };
}

describe(`restore after an erasure agrees with the live system (${testDbKind})`, () => {
  afterAll(async () => {
    for (const c of closers.reverse()) await c();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('after vigil restore with the ledger replayed, the erased subject looks as it does live', async () => {
    const live = await startTestVigil();
    closers.push(() => live.close());
    const slug = `rs-${Math.random().toString(36).slice(2, 8)}`;
    const tenant = { id: await live.tenant(slug), slug };
    const alice = await newConversation(live, tenant, 'email', {
      email: 'alice.erased@example.de',
      name: 'Alice Erased',
      text: 'Meine Telefonnummer ist +49 30 1234567.',
    });
    const aliceChat = await newConversation(live, tenant, 'chat', { customerId: alice.customerId });
    const bob = await newConversation(live, tenant, 'chat', {
      name: 'Bob Kept',
      text: 'Wann kommt meine Lieferung?',
    });
    const dpo = await live.login(await live.makeUser([{ role: 'dpo', tenant: slug }]));
    const request = await live.call(
      'POST',
      `/api/v1/tenants/${slug}/privacy/requests`,
      { customerId: alice.customerId, type: 'erasure', identityCheck: { method: 'email_confirmation' } },
      dpo,
    );
    expect(request.status).toBe(201);

    const out = join(mkdtempSync(join(tmpdir(), 'vigil-rs-')), 'backup');
    dirs.push(out);
    await createBackup({
      db: live.core.db,
      provider: live.core.provider,
      dataDir: live.core.config.dataDir,
      outDir: out,
    });
    const erased = await live.call(
      'POST',
      `/api/v1/tenants/${slug}/privacy/customers/${alice.customerId}/erase`,
      { requestId: request.json.id },
      dpo,
    );
    expect(erased.status).toBe(200);
    const convs = [alice.conversationId, aliceChat.conversationId];
    const seenLive = await observe(live, slug, alice.customerId, convs);
    expect(seenLive).toMatchObject({ customer: 410, reads: [404, 404], exportStatus: 200 });
    expect(seenLive.exported).toMatchObject({ erased: true, erasureRequestId: request.json.id });

    const target = await createTestDatabase({ migrate: false });
    const report = await restoreBackup({
      db: target.db,
      provider: live.core.provider,
      fromDir: out,
      ledgerDir: live.core.config.dataDir,
    });
    expect(report.ledger.entries).toBe(1);
    const restored = await startTestVigil({}, { db: target, dataDir: live.core.config.dataDir });
    closers.push(() => restored.close());
    const seenRestored = await observe(restored, slug, alice.customerId, convs);
    expect(seenRestored.listed).toContain(bob.conversationId);
    expect(seenRestored).toEqual(seenLive);
    expect(seenRestored.leftover).toEqual({
      conversations: 0,
      messages: 0,
      pii_tokens: 0,
      identifiers: 0,
      named: 0,
    });
    // Bob's data survived the replay and still decrypts.
    const sup = await restored.login(await restored.makeUser([{ role: 'supervisor', tenant: slug }]));
    const b = await restored.call(
      'GET',
      `/api/v1/tenants/${slug}/conversations/${bob.conversationId}`,
      undefined,
      sup,
    );
    expect(b.status).toBe(200);
    expect(JSON.stringify(b.json)).toContain('Wann kommt meine Lieferung?');
  });
});
