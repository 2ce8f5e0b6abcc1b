// The audit log for investigators (issue 25), in a real Chromium against a real Vigil: an agent
// reveals a masked e-mail address with a reason; a security officer narrows the log by time range
// and by an action typed in words, opens the reveal event, reads its reason and sees its proof
// checked in the browser against a signed checkpoint; then exports the filtered view (CSV and
// JSON), and the export is itself in the log.
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell } from '../../src/audit/export-routes.ts';
import { systemContext } from '../../src/ingest/index.ts';
import { rows } from '../../src/platform/db.ts';
import { startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { axe, ensureWebBuild, launch, newPage, shot, signIn } from './browser.ts';

const SLUG = 'web-sup-audit';
const REASON = 'Kundin bestätigt telefonisch die neue Adresse';
/** datetime-local's value in the browser's (this machine's) time zone. */
const local = (d: Date) => {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
};

describe(`audit log for investigators (${testDbKind})`, () => {
  let v: TestVigil;
  let browser: Browser;
  let tenantId: string;
  let investigator: TestUser;
  let conversationId: string;

  beforeAll(async () => {
    await ensureWebBuild();
    v = await startTestVigil();
    tenantId = await v.tenant(SLUG);
    const agent = await v.makeUser([{ role: 'agent', tenant: SLUG }]);
    investigator = await v.makeUser([{ role: 'security_officer', tenant: SLUG }]);
    const queueId = await v.core.db.withTenant(tenantId, async (tx) => {
      const [q] = await rows<{ id: string }>(
        tx,
        sql`insert into queues (tenant_id, name) values (${tenantId}, 'Support') returning id`,
      );
      await tx.execute(
        sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenantId}, ${q!.id}, ${agent.id})`,
      );
      await tx.execute(
        sql`insert into tenant_pii_policies (tenant_id, policy) values (${tenantId}, ${JSON.stringify({
          defaultOperator: 'keep',
          entities: { EMAIL: { operator: 'tokenize' } },
        })}::jsonb)`,
      );
      return q!.id;
    });
    const ctx = systemContext({ id: tenantId, slug: SLUG, name: SLUG });
    const customer = await v.app.contact!.customers.create(ctx, {
      name: 'Erika',
      emails: ['erika@example.org'],
    });
    const r = await v.app.contact!.ingest.ingestMessage(ctx, {
      channel: 'chat',
      direction: 'inbound',
      author: { type: 'customer', id: null },
      text: 'Bitte an neu.adresse@example.net schreiben',
      idempotencyKey: `${SLUG}:1`,
      lang: 'de',
      newConversation: { channel: 'chat', customer: { id: customer.id }, queueId },
    });
    conversationId = r.conversationId;
    const s = await v.login(agent);
    const base = `/api/v1/tenants/${SLUG}/conversations/${conversationId}`;
    expect((await v.call('POST', `${base}/assign`, { userId: agent.id }, s)).status).toBe(200);
    const view = await v.call('GET', base, undefined, s);
    const token = /\[EMAIL:(tok_[a-z0-9]{20})\]/.exec(JSON.stringify(view.json))![1];
    const revealed = await v.call('POST', `${base}/reveal`, { token, reason: REASON }, s);
    expect(revealed.status).toBe(200);
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await v?.close();
  });

  it('an investigator filters by time and action words, opens the reveal, reads its reason and proof', async () => {
    const w = await newPage(browser, { baseUrl: v.url });
    await signIn(w.page, v.url, investigator);
    await w.page.goto(`${v.url}/app/t/${SLUG}/audit`);
    await w.page.locator('table tbody tr').first().waitFor();
    const rowsOf = w.page.locator('table tbody tr');

    // A range in the future holds nothing.
    const hour = 3_600_000;
    await w.page.getByLabel('From', { exact: true }).fill(local(new Date(Date.now() + hour)));
    await w.page.getByLabel('Action', { exact: true }).fill('revealed');
    await w.page.getByRole('button', { name: 'Search' }).click();
    await w.page.getByText('No events', { exact: false }).first().waitFor();

    // The last hour: exactly the one reveal, found by the words of its action.
    await w.page.getByLabel('From', { exact: true }).fill(local(new Date(Date.now() - hour)));
    await w.page.getByLabel('To', { exact: true }).fill(local(new Date(Date.now() + hour)));
    await w.page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => rowsOf.count()).toBe(1);
    const row = rowsOf.first();
    await row.getByText('Masked value revealed').waitFor();
    await row.getByRole('button', { name: /Open event/ }).click();
    const dialog = w.page.getByRole('dialog');
    await dialog.getByTestId('audit-reason').getByText(REASON).waitFor();
    // No checkpoint covers it yet; signing one lets the browser check the inclusion proof.
    const proof = dialog.getByTestId('audit-proof');
    await proof.getByRole('button', { name: 'Sign a checkpoint now' }).click();
    await proof.getByText('Inclusion verified in this browser').waitFor();
    await proof.getByText(/Event \d+ is in the signed checkpoint/).waitFor();
    await axe(w.page, 'audit event with proof');
    await shot(w.page, 'sup-audit-01-proof');
    await dialog.getByRole('button', { name: 'Close' }).last().click();

    // Export of the filtered view: one event, with its reason; the export is audited.
    const [download] = await Promise.all([
      w.page.waitForEvent('download'),
      w.page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\r\n');
    expect(csv[0]).toBe(
      'seq,time,actorType,actorId,action,resourceType,resourceId,outcome,reason,meta,prevHash,hash',
    );
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain('value.reveal');
    expect(csv[1]).toContain(REASON);
    expect(w.errors).toEqual([]);
    await w.ctx.close();

    const [exp] = await v.core.db.withTenant(tenantId, (tx) =>
      rows<{ actor_id: string; meta: Record<string, unknown> }>(
        tx,
        sql`select actor_id, meta from audit_events where action = 'audit.export' order by seq desc limit 1`,
      ),
    );
    expect(exp).toMatchObject({
      actor_id: investigator.id,
      meta: { format: 'csv', events: 1, truncated: false, filters: 'action,from,to' },
    });
  });

  it('exports JSON, refuses bad filters and roles, and quotes spreadsheet formulas', async () => {
    const s = await v.login(investigator);
    const j = await v.call(
      'GET',
      `/api/v1/tenants/${SLUG}/audit/export?format=json&action=value.reveal`,
      undefined,
      s,
    );
    expect(j.status).toBe(200);
    expect(j.headers.get('content-disposition')).toMatch(
      /attachment; filename="audit-web-sup-audit-.*\.json"/,
    );
    expect(j.json.events).toHaveLength(1);
    expect(j.json.events[0]).toMatchObject({ action: 'value.reveal', reason: REASON });
    expect(
      (await v.call('GET', `/api/v1/tenants/${SLUG}/audit/export?format=xml`, undefined, s)).status,
    ).toBe(400);
    expect(
      (await v.call('GET', `/api/v1/tenants/${SLUG}/audit/export?format=csv&from=yesterday`, undefined, s))
        .status,
    ).toBe(400);
    const agent = await v.login(await v.makeUser([{ role: 'agent', tenant: SLUG }]));
    expect(
      (await v.call('GET', `/api/v1/tenants/${SLUG}/audit/export?format=csv`, undefined, agent)).status,
    ).toBe(403);
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('-1+1')).toBe("'-1+1");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(null)).toBe('');
  });
});
