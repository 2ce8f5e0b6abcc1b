// Values inlined into one-round-trip statements (execAppStatement) must come back from the
// database exactly as given: quotes, backslashes, `$1`-like text, Unicode, bytes, numbers.
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineSql, NO_TENANT, rows, sqlLiteral } from '../../src/platform/db.ts';
import { createTestDatabase, type TestDatabase, testDbKind } from '../helpers/db.ts';

describe(`SQL literals for inlined statements (${testDbKind})`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('round-trips any string without NUL through the database', async () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\0'));
    const tricky = fc.constantFrom("'", "\\'", "''", '\\', '$1', "E'x'", "'); drop table x; --", '\\x00');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(text, tricky), { minLength: 1, maxLength: 4 }), async (parts) => {
        const v = parts.join('');
        const got = await t.db.withOwner((tx) =>
          rows<{ v: string }>(tx, sql.raw(`select ${sqlLiteral(v)}::text as v`)),
        );
        expect(got[0]?.v).toBe(v);
      }),
      { numRuns: 150 },
    );
  });

  it('inlines parameters of a drizzle query, and refuses NUL and non-finite numbers', async () => {
    const name = "O'Brien \\ $2";
    const q = inlineSql(
      sql`select ${name}::text as a, ${42}::int as b, ${Buffer.from([0, 255])}::bytea as c`,
    );
    const got = await t.db.withOwner((tx) => rows<{ a: string; b: number; c: Uint8Array }>(tx, sql.raw(q)));
    expect(got[0]?.a).toBe(name);
    expect(Number(got[0]?.b)).toBe(42);
    expect([...Buffer.from(got[0]!.c)]).toEqual([0, 255]);
    expect(() => sqlLiteral('a\0b')).toThrow();
    expect(() => sqlLiteral(Number.NaN)).toThrow();
  });

  it('runs a statement as the application role in one round trip', async () => {
    const exec = t.db.execAppStatement;
    expect(exec).toBeTypeOf('function');
    const got = await exec!(NO_TENANT, sql`select current_user::text as u, ${"it's"}::text as s`);
    expect(got[0]).toEqual({ u: 'vigil_app', s: "it's" });
  });
});
