// The automation training export on a real Vigil: 1,000 conversations full of names, e-mail
// addresses, phones and IBANs go through the real ingest; only opted-in customers are exported,
// every text is strictly redacted (the PII engine finds nothing in the result), conversations are
// pseudonyms, and no record sits in a quasi-identifier group smaller than k = 5. The manifest is
// stored and audited; agents and supervisors cannot export.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/ingest/index.ts';
import { scanText } from '../../src/pii/index.ts';
import { rows } from '../../src/platform/db.ts';
import { QUASI_IDENTIFIERS, type TrainingRecord } from '../../src/quality/index.ts';
import { auditCount, slugs, startWorld, type World } from '../conversations/fixture.ts';
import type { Session } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

const FIRST = ['Erika', 'Jana', 'Lukas', 'Sophie', 'Oliver', 'Amelia', 'Jonas', 'Clara'];
const LAST = ['Mustermann', 'Beispiel', 'Schneider', 'Hoffmann', 'Wright', 'Turner', 'Becker', 'Walsh'];
const IBANS = ['DE89 3704 0044 0532 0130 00', 'GB82 WEST 1234 5698 7654 32'];
const TOTAL = 1000;

function sample(i: number) {
  const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`;
  const email = `${name.toLowerCase().replace(' ', '.')}${i}@example.org`;
  const phone = `0170 ${String(1_000_000 + i * 37).slice(0, 7)}`;
  const text =
    i % 2
      ? `Hello, my name is ${name}, my email is ${email} and my IBAN is ${IBANS[1]}. Please check my invoice.`
      : `Guten Tag, ich bin ${name}. Meine E-Mail ist ${email}, Telefon ${phone}, IBAN ${IBANS[0]}. Bitte prüfen Sie meine Rechnung.`;
  return { name, email, phone, text };
}

describe(`automation training export (${testDbKind})`, () => {
  let w: World;
  let dpo: Session;
  const values: string[] = [];

  beforeAll(async () => {
    w = await startWorld();
    dpo = await w.v.login(await w.v.makeUser([{ role: 'dpo', tenant: slugs(w).slugA }]));
    const ctx = systemContext({ id: w.a, slug: slugs(w).slugA, name: 'a' });
    const ids: string[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const s = sample(i);
      values.push(s.email, s.phone, s.name.split(' ')[1]!);
      const channel = i % 4 === 3 ? 'email' : 'chat';
      const r = await w.v.app.contact!.ingest.ingestMessage(ctx, {
        channel,
        direction: 'inbound',
        author: { type: channel === 'chat' ? 'visitor' : 'customer', id: null },
        text: s.text,
        idempotencyKey: `t:${randomUUID()}`,
        newConversation: { channel, customer: { name: s.name }, queueId: w.queueA1 },
      });
      ids.push(r.conversationId);
    }
    // The consent register's flag (purpose "training"): all but the first 20 customers opted in.
    const db = w.v.core.db;
    await db.withOwner(async (tx) => {
      await tx.execute(sql`update customers set consents = consents || '{"training": true}'::jsonb
        where tenant_id = ${w.a} and id not in (select customer_id from conversations where id = any(${`{${ids.slice(0, 20).join(',')}}`}::uuid[]))`);
      // Three conversations from a month of their own: a group below k.
      await tx.execute(sql`update conversations set created_at = '2025-01-15T10:00:00Z'
        where id = any(${`{${ids.slice(20, 23).join(',')}}`}::uuid[])`);
    });
  }, 600_000);
  afterAll(async () => {
    await w?.v.close();
  });

  const path = () => `/api/v1/tenants/${slugs(w).slugA}/automation/training-exports`;

  it('agents and supervisors cannot export', async () => {
    expect(
      (await w.v.call('POST', path(), { reason: 'training the order-status bot' }, w.s.agentA1)).status,
    ).toBe(403);
    expect(
      (await w.v.call('POST', path(), { reason: 'training the order-status bot' }, w.s.supA)).status,
    ).toBe(403);
  });

  it('exports consented, redacted, k-anonymous records with a manifest', async () => {
    const r = await w.v.call(
      'POST',
      path(),
      { reason: 'Training the order-status bot, ticket OPS-12', k: 5 },
      dpo,
    );
    expect(r.status).toBe(200);
    const { manifest, records } = r.json as { manifest: Record<string, unknown>; records: TrainingRecord[] };
    expect(manifest).toMatchObject({ k: 5, records: TOTAL - 23, suppressed: 3, excludedNoConsent: 20 });
    expect(records).toHaveLength(TOTAL - 23);
    for (const v of [...values, ...IBANS, 'DE89', 'GB82', 'tok_']) expect(r.text).not.toContain(v);
    for (const rec of records) {
      expect(rec.conversation).toMatch(/^v_[0-9a-f]{16}$/);
      for (const t of rec.turns) expect(scanText(t.text)).toEqual([]);
    }
    const groups = new Map<string, number>();
    for (const rec of records) {
      const key = QUASI_IDENTIFIERS.map((q) => rec[q]).join('|');
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    expect(Math.min(...groups.values())).toBeGreaterThanOrEqual(5);
    expect(await auditCount(w, w.a, 'automation.export', manifest.exportId as string)).toBe(1);
    const [stored] = await w.v.core.db.withOwner((tx) =>
      rows<{ sha256: string }>(
        tx,
        sql`select sha256 from automation_exports where id = ${manifest.exportId as string}`,
      ),
    );
    expect(stored?.sha256).toBe(manifest.sha256);
  });
});
