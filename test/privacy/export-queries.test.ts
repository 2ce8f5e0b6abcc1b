// Subject export costs follow the subject's own data (issue 33): the number of statements an
// export runs does not grow with the customer's conversations (it was two per conversation: the
// audit events and the messages), and the access history still covers every conversation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/ingest/index.ts';
import type { Database, Tx } from '../../src/platform/db.ts';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

/** Counts the statements of each tenant transaction (the export reads in one transaction). */
function countingDb(db: Database) {
  const counter = { transactions: [] as number[] };
  const wrap = (tx: Tx, slot: number): Tx =>
    new Proxy(tx, {
      get(target, prop, recv) {
        if (prop === 'execute')
          return (q: Parameters<Tx['execute']>[0]) => {
            counter.transactions[slot] = (counter.transactions[slot] ?? 0) + 1;
            return target.execute(q);
          };
        return Reflect.get(target, prop, recv);
      },
    });
  const wrapped: Database = {
    ...db,
    kind: db.kind,
    ...(db.pglite ? { pglite: db.pglite } : {}),
    withTenant: (id, fn) => {
      const slot = counter.transactions.push(0) - 1;
      return db.withTenant(id, (tx) => fn(wrap(tx, slot)));
    },
  };
  return { wrapped, counter };
}

describe(`subject export query count (${testDbKind})`, () => {
  let v: TestVigil;
  let counter: { transactions: number[] };
  let slug: string;
  let dpo: Session;

  beforeAll(async () => {
    let c: { transactions: number[] } | undefined;
    v = await startTestVigil(
      {},
      {
        wrapDb: (db) => {
          const x = countingDb(db);
          c = x.counter;
          return x.wrapped;
        },
      },
    );
    counter = c!;
    slug = `exq-${Math.random().toString(36).slice(2, 8)}`;
    await v.tenant(slug);
    dpo = await v.login(await v.makeUser([{ role: 'dpo', tenant: slug }]));
  }, 60_000);
  afterAll(() => v?.close());

  /** A customer with `n` e-mail conversations of two messages each, through the real ingest. */
  async function customerWith(n: number, tag: string): Promise<string> {
    const tenant = (await v.tenancy.tenantBySlug(slug))!;
    const ingest = v.app.contact!.ingest;
    const ctx = systemContext({ id: tenant.id, slug: tenant.slug, name: tenant.name });
    let customerId = '';
    for (let i = 0; i < n; i++) {
      const first = await ingest.ingestMessage(ctx, {
        channel: 'email',
        direction: 'inbound',
        author: { type: 'customer', id: null },
        text: `Frage ${i} von ${tag}`,
        idempotencyKey: `email:<${tag}.${i}@example.test>`,
        newConversation: {
          channel: 'email',
          customer: { email: `${tag}@example.test` },
          subject: `Betreff ${i}`,
        },
      });
      customerId = first.customerId;
      await ingest.ingestMessage(ctx, {
        channel: 'email',
        direction: 'inbound',
        author: { type: 'customer', id: null },
        text: `Nachtrag ${i}`,
        conversationId: first.conversationId,
      });
    }
    return customerId;
  }

  async function exportCounting(customerId: string) {
    const from = counter.transactions.length;
    const r = await v.call(
      'GET',
      `/api/v1/tenants/${slug}/privacy/customers/${customerId}/export`,
      undefined,
      dpo,
    );
    expect(r.status).toBe(200);
    // The export's own transaction is the largest of the request.
    return { statements: Math.max(...counter.transactions.slice(from)), body: r.json };
  }

  it('runs the same number of statements for 2 and for 12 conversations', async () => {
    const small = await customerWith(2, 'klein');
    const large = await customerWith(12, 'gross');
    expect(small).not.toBe(large);
    // Warms the key caches, and gives both access histories a staff actor (one roles query).
    await exportCounting(small);
    await exportCounting(large);
    const a = await exportCounting(small);
    const b = await exportCounting(large);
    expect(a.body.conversations).toHaveLength(2);
    expect(b.body.conversations).toHaveLength(12);
    expect(b.body.conversations.every((c: { messages: unknown[] }) => c.messages.length === 2)).toBe(true);
    // The access history names every conversation's ingest events and the customer's own.
    const historyIds = new Set(b.body.accessHistory.map((e: { resourceId: string }) => e.resourceId));
    for (const c of b.body.conversations as Array<{ id: string }>) expect(historyIds.has(c.id)).toBe(true);
    const seqOrder = b.body.accessHistory.map((e: { time: string }) => e.time);
    expect([...seqOrder].sort()).toEqual(seqOrder);
    expect(b.statements).toBe(a.statements);
  });
});
