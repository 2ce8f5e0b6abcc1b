// `vigil customers dedupe` (issue 33): finds live customers that share an identifier, reports them
// with evidence (ids, kinds, dates, counts; no addresses) without changing anything by default,
// and with --apply merges each group into the record holding the contact key through the
// ordinary merge, so the person's whole history is under one record (and one erasure).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCustomersCli } from '../../src/cli/customer-commands.ts';
import { systemContext } from '../../src/ingest/index.ts';
import { rows } from '../../src/platform/db.ts';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

describe(`vigil customers dedupe (${testDbKind})`, () => {
  let v: TestVigil;
  let slug: string;
  let tenantId: string;
  let sup: Session;

  beforeAll(async () => {
    v = await startTestVigil();
    slug = `dedupe-${Math.random().toString(36).slice(2, 8)}`;
    tenantId = await v.tenant(slug);
    sup = await v.login(await v.makeUser([{ role: 'supervisor', tenant: slug }]));
  }, 60_000);
  afterAll(() => v?.close());

  const cli = async (...args: string[]) => {
    let out = '';
    const code = await runCustomersCli(v.core, ['dedupe', '--tenant', slug, ...args], {
      write: (s: string) => {
        out += s;
      },
    });
    return { code, out };
  };
  const create = async (body: Record<string, unknown>) => {
    const r = await v.call('POST', `/api/v1/tenants/${slug}/customers`, body, sup);
    expect(r.status).toBe(201);
    return r.json.id as string;
  };
  const live = async () =>
    (
      await v.core.db.withTenant(tenantId, (tx) =>
        rows<{ n: number }>(tx, sql`select count(*)::int as n from customers where merged_into is null`),
      )
    )[0]!.n;

  it('reports duplicates in a dry run, merges them with --apply, and finds none afterwards', async () => {
    // Three records of one person (same e-mail, then same phone), one unrelated record.
    const first = await create({ name: 'Eva Muster', emails: ['eva.muster@example.test'] });
    const second = await create({ emails: ['Eva.Muster@example.test'], phones: ['+49 171 2345678'] });
    const third = await create({ phones: ['+491712345678'] });
    const other = await create({ emails: ['jemand.anders@example.test'] });
    // The duplicate has history of its own.
    const tenant = (await v.tenancy.tenantBySlug(slug))!;
    const ctx = systemContext({ id: tenant.id, slug: tenant.slug, name: tenant.name });
    const conv = await v.app.contact!.ingest.ingestMessage(ctx, {
      channel: 'chat',
      direction: 'inbound',
      author: { type: 'customer', id: null },
      text: 'Eine alte Nachricht',
      newConversation: { channel: 'chat', customer: { id: third } },
    });
    expect(await live()).toBe(4);

    const dry = await cli('--json');
    expect(dry.code).toBe(0);
    const report = JSON.parse(dry.out);
    expect(report.dryRun).toBe(true);
    expect(report.merged).toBe(0);
    expect(report.groups).toHaveLength(1);
    const g = report.groups[0];
    expect(g.survivor).toBe(first); // holds the e-mail's contact key (first come)
    expect(g.sharedKinds).toEqual(['email', 'phone']);
    expect(g.records.map((r: { id: string }) => r.id).sort()).toEqual([first, second, third].sort());
    expect(g.records.find((r: { id: string }) => r.id === third).conversations).toBe(1);
    expect(dry.out).not.toMatch(/example\.test|2345678/); // evidence without the identifiers
    expect(await live()).toBe(4);
    expect((await cli()).out).toMatch(/1 duplicate group\(s\); dry run, nothing changed/);

    const applied = await cli('--apply');
    expect(applied.out).toMatch(/1 duplicate group\(s\); 2 record\(s\) merged/);
    expect(await live()).toBe(2);

    // One record now answers for the person: lookup, history and the other record untouched.
    for (const by of [{ email: 'eva.muster@example.test' }, { phone: '+49 171 2345678' }]) {
      const r = await v.call('POST', `/api/v1/tenants/${slug}/customers/lookup`, by, sup);
      expect(r.json.items.map((x: { id: string }) => x.id)).toEqual([first]);
    }
    const c = await v.call(
      'GET',
      `/api/v1/tenants/${slug}/conversations/${conv.conversationId}`,
      undefined,
      sup,
    );
    expect(c.json.customerId).toBe(first);
    const merges = await v.core.db.withTenant(tenantId, (tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from audit_events where action = 'customer.merge' and resource_id = ${first}`,
      ),
    );
    expect(merges[0]!.n).toBe(2);
    expect(JSON.parse((await cli('--json')).out).groups).toEqual([]);
    const o = await v.call(
      'POST',
      `/api/v1/tenants/${slug}/customers/lookup`,
      { email: 'jemand.anders@example.test' },
      sup,
    );
    expect(o.json.items.map((x: { id: string }) => x.id)).toEqual([other]);
  });
});
