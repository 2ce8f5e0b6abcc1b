// Proves tenant isolation in the database itself: a query that forgets its tenant filter still
// sees only the current tenant's rows, and writing another tenant's row is refused.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgErrorOf, rows } from '../../src/platform/db.ts';
import { createTestDatabase, type TestDatabase, testDbKind } from '../helpers/db.ts';

describe(`row-level security (${testDbKind})`, () => {
  let t: TestDatabase;
  let a: string;
  let b: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    [a, b] = (await t.db.withOwner(async (tx) => {
      const r = await rows<{ id: string }>(
        tx,
        sql`insert into tenants (slug, name) values ('rls-a', 'A'), ('rls-b', 'B') returning id`,
      );
      await tx.execute(
        sql`insert into queues (tenant_id, name) values (${r[0]!.id}, 'qa1'), (${r[0]!.id}, 'qa2'), (${r[1]!.id}, 'qb1')`,
      );
      return r.map((x) => x.id);
    })) as [string, string];
  });
  afterAll(() => t.drop());

  it('runs as a role that is neither superuser nor BYPASSRLS', async () => {
    const [r] = await t.db.withTenant(a, (tx) =>
      rows<{ rolsuper: boolean; rolbypassrls: boolean; current_user: string }>(
        tx,
        sql`select rolsuper, rolbypassrls, current_user from pg_roles where rolname = current_user`,
      ),
    );
    expect(r).toEqual({ rolsuper: false, rolbypassrls: false, current_user: 'vigil_app' });
  });

  it('a query without a tenant filter returns only the current tenant rows', async () => {
    const names = await t.db.withTenant(a, (tx) =>
      rows<{ name: string }>(tx, sql`select name from queues order by name`),
    );
    expect(names.map((n) => n.name)).toEqual(['qa1', 'qa2']);
    const other = await t.db.withTenant(b, (tx) => rows<{ name: string }>(tx, sql`select name from queues`));
    expect(other.map((n) => n.name)).toEqual(['qb1']);
  });

  it('a platform transaction sees no tenant rows at all', async () => {
    const r = await t.db.withPlatform((tx) =>
      rows<{ n: number }>(tx, sql`select count(*)::int as n from queues`),
    );
    expect(r[0]!.n).toBe(0);
  });

  it('refuses to insert a row for another tenant', async () => {
    const e = await t.db
      .withTenant(a, (tx) => tx.execute(sql`insert into queues (tenant_id, name) values (${b}, 'sneaky')`))
      .catch((x: unknown) => x);
    expect(pgErrorOf(e).message).toMatch(/row-level security/);
  });

  it('refuses to move a row to another tenant and cannot touch foreign rows', async () => {
    const e = await t.db
      .withTenant(a, (tx) => tx.execute(sql`update queues set tenant_id = ${b} where name = 'qa1'`))
      .catch((x: unknown) => x);
    expect(pgErrorOf(e).message).toMatch(/row-level security/);
    const deleted = await t.db.withTenant(a, (tx) =>
      rows<{ id: string }>(tx, sql`delete from queues where name = 'qb1' returning id`),
    );
    expect(deleted).toHaveLength(0);
    const still = await t.db.withTenant(b, (tx) => rows<{ name: string }>(tx, sql`select name from queues`));
    expect(still).toHaveLength(1);
  });

  it('the tenant setting does not leak into the next transaction', async () => {
    await t.db.withTenant(a, async () => {});
    const r = await t.db.withPlatform((tx) =>
      rows<{ n: number }>(tx, sql`select count(*)::int as n from queues`),
    );
    expect(r[0]!.n).toBe(0);
  });
});
