// Issue 20, finding 8: the per-visitor chat limit was bypassed by leaving out the visitor token
// (35 of 35 messages accepted, 35 new customers). A token-less message is a first message: it is
// limited per client address and origin, and a visitor continues with its token. Tenants may set
// their own widget limits (issue 33).
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgTextArray } from '../../src/ingest/index.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { rows } from '../../src/platform/db.ts';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

const PLATFORM_DEFAULT = loadConfig({}).widgetAnonymousPerIpPerMinute;

describe(`widget: anonymous first messages are limited (${testDbKind})`, () => {
  let v: TestVigil;
  let slug: string;
  let tenantId: string;
  let admin: Session;

  beforeAll(async () => {
    // The platform default, as a production node runs it.
    v = await startTestVigil({ widgetAnonymousPerIpPerMinute: PLATFORM_DEFAULT });
    slug = `flood-${Math.random().toString(36).slice(2, 8)}`;
    tenantId = await v.tenant(slug);
    await v.core.db.withTenant(tenantId, (tx) =>
      tx.execute(sql`insert into chat_widget_settings (tenant_id, allowed_origins)
        values (${tenantId}, ${pgTextArray(['http://localhost', 'http://127.0.0.1'])}::text[])`),
    );
    admin = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: slug }]));
  }, 60_000);
  afterAll(() => v?.close());

  const post = (body: Record<string, string>, origin = 'http://localhost') =>
    v.call('POST', `/api/v1/widget/${slug}/messages`, { text: 'Hallo?', ...body }, null, { origin });
  const customers = async () =>
    (
      await v.core.db.withTenant(tenantId, (tx) =>
        rows<{ n: number }>(tx, sql`select count(*)::int as n from customers`),
      )
    )[0]!.n;

  it('refuses token-less messages beyond the limit, creates no customer for them, and lets visitors with a token go on', async () => {
    expect(PLATFORM_DEFAULT).toBeLessThan(35);
    const burst = await Promise.all(
      Array.from({ length: 35 }, (_, i) => post({ clientMessageId: `flood-${String(i).padStart(6, '0')}` })),
    );
    const accepted = burst.filter((r) => r.status === 201);
    const refused = burst.filter((r) => r.status === 429);
    expect(accepted.length + refused.length).toBe(35);
    for (const r of refused) expect(r.json.error.code).toBe('rate_limited');
    // One window's allowance (two, should the burst straddle the start of a new minute window).
    expect(accepted.length).toBeGreaterThanOrEqual(PLATFORM_DEFAULT);
    expect(accepted.length).toBeLessThanOrEqual(2 * PLATFORM_DEFAULT);
    expect(await customers()).toBe(accepted.length);
    const token = accepted[0]!.json.visitorToken as string;
    const created = accepted.length;

    // The visitor continues with its token (its own per-visitor allowance), no new customer.
    const next = await post({ clientMessageId: 'flood-follow-1', visitorToken: token });
    expect(next.status).toBe(201);
    expect(await customers()).toBe(created);

    // Another allowed origin has its own allowance.
    expect((await post({ clientMessageId: 'flood-other-1' }, 'http://127.0.0.1')).status).toBe(201);
  });

  it('a tenant admin raises the tenant’s own limit; null restores the platform value', async () => {
    const before = await v.call('GET', `/api/v1/tenants/${slug}/settings/rate-limits`, undefined, admin);
    expect(before.status).toBe(200);
    expect(before.json.effective).toEqual({ perIp: 120, perVisitor: 30, anonymousPerIp: PLATFORM_DEFAULT });

    const bad = await v.call(
      'PUT',
      `/api/v1/tenants/${slug}/settings/rate-limits`,
      { widgetAnonymousPerIpPerMinute: 0 },
      admin,
    );
    expect(bad.status).toBe(400);

    const up = await v.call(
      'PUT',
      `/api/v1/tenants/${slug}/settings/rate-limits`,
      { widgetAnonymousPerIpPerMinute: 1000 },
      admin,
    );
    expect(up.status).toBe(200);
    expect(up.json.effective.anonymousPerIp).toBe(1000);
    expect((await post({ clientMessageId: 'flood-after-raise' })).status).toBe(201);

    const reset = await v.call(
      'PUT',
      `/api/v1/tenants/${slug}/settings/rate-limits`,
      { widgetAnonymousPerIpPerMinute: null },
      admin,
    );
    expect(reset.json.effective.anonymousPerIp).toBe(PLATFORM_DEFAULT);
    // More than two windows' allowance: refused again whatever the window's position.
    const again = await Promise.all(
      Array.from({ length: 2 * PLATFORM_DEFAULT + 1 }, (_, i) =>
        post({ clientMessageId: `flood-reset-${i}00` }),
      ),
    );
    expect(again.some((r) => r.status === 429)).toBe(true);

    // Agents may not change it.
    const agent = await v.login(await v.makeUser([{ role: 'agent', tenant: slug }]));
    const denied = await v.call(
      'PUT',
      `/api/v1/tenants/${slug}/settings/rate-limits`,
      { widgetAnonymousPerIpPerMinute: 1000 },
      agent,
    );
    expect(denied.status).toBe(403);
  });
});
