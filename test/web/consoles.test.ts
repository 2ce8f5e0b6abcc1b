// Consoles agents and supervisors would choose (issue 25), in a real Chromium against a real Vigil:
// the language persists across reload and sign-in with no raw code on German pages; inbox items
// carry a customer label, preview, unread marker and waiting time, search and transfer; reveal on
// an unassigned conversation asks to assign first; tenant admins invite users and cannot remove
// the last admin role; the audit log shows names and opens rows; the supervisor console shows
// queues, agents and the service level from real data.
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/ingest/index.ts';
import { rows } from '../../src/platform/db.ts';
import { freshTotp, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { axe, ensureWebBuild, launch, newPage, shot } from './browser.ts';

const SLUG = 'web-consoles';
const AGENT_NAME = 'Anna Agentin';
/** Codes people must never read: SCREAMING_SNAKE entity types, snake_case tables and states. */
const RAW_CODE = /\b[A-Z]{2,}_[A-Z_]+\b|\b[a-z]+_[a-z_]+\b|\b(received|active|open|pending|closed)\b/;

/** Signs in through the form in either language (labels by input type, buttons by submit). */
async function signInForm(page: Page, url: string, u: TestUser, heading: RegExp) {
  if (!page.url().startsWith(url)) await page.goto(`${url}/`);
  await page.locator('input[type=email]').fill(u.email);
  await page.locator('input[type=password]').fill(u.password);
  await page.locator('form button[type=submit]').click();
  await page.locator('input[autocomplete=one-time-code]').fill(freshTotp(u.totpSecret));
  await page.locator('form button[type=submit]').click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

async function mainText(page: Page): Promise<string> {
  return page.locator('#main').innerText();
}

describe(`consoles agents and supervisors would choose (${testDbKind})`, () => {
  let v: TestVigil;
  let browser: Browser;
  let tenantId: string;

  let queueId: string;
  let agent: TestUser;
  let customerId: string;

  /** A customer chat in the agent's queue, unassigned, with an e-mail address tokenized. */
  async function customerChat(text: string, key: string): Promise<string> {
    const ctx = systemContext({ id: tenantId, slug: SLUG, name: SLUG });
    const r = await v.app.contact!.ingest.ingestMessage(ctx, {
      channel: 'chat',
      direction: 'inbound',
      author: { type: 'customer', id: null },
      text,
      idempotencyKey: `${SLUG}:${key}`,
      lang: 'de',
      newConversation: { channel: 'chat', customer: { id: customerId }, queueId },
    });
    return r.conversationId;
  }

  beforeAll(async () => {
    await ensureWebBuild();
    v = await startTestVigil();
    tenantId = await v.tenant(SLUG);
    agent = await v.makeUser([{ role: 'agent', tenant: SLUG }]);
    // Test users share one display name; the agent gets their own (shown by name, found by name).
    await v.core.db.withPlatform((tx) =>
      tx.execute(sql`update users set display_name = ${AGENT_NAME} where id = ${agent.id}`),
    );
    queueId = await v.core.db.withTenant(tenantId, async (tx) => {
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
    const sup = await v.makeUser([{ role: 'supervisor', tenant: SLUG }]);
    const c = await v.call(
      'POST',
      `/api/v1/tenants/${SLUG}/customers`,
      { name: 'Erika Musterfrau', emails: ['erika.m@example.org'] },
      await v.login(sup),
    );
    expect(c.status).toBe(201);
    customerId = c.json.id;
    browser = await launch();
  }, 180_000);

  const storedLocale = async (userId: string) =>
    (
      await v.core.db.withPlatform((tx) =>
        rows<{ locale: string }>(tx, sql`select locale from users where id = ${userId}`),
      )
    )[0]?.locale;

  afterAll(async () => {
    await browser?.close();
    await v?.close();
  });

  it('keeps the language across reload and sign-in, and German pages show no raw codes', async () => {
    const all = await v.makeUser([
      { role: 'tenant_admin', tenant: SLUG },
      { role: 'security_officer', tenant: SLUG },
      { role: 'dpo', tenant: SLUG },
    ]);
    // An alert of the insider rules, so its title is on the page.
    await v.core.db.withTenant(tenantId, (tx) =>
      tx.execute(sql`insert into monitoring_alerts (id, tenant_id, rule_id, severity, action, subject_type,
        subject_id, observed, threshold, window_seconds, first_seen_at, last_seen_at, dedupe_until)
        values (gen_random_uuid(), ${tenantId}, 'reveal_unassigned', 'high', 'alert', 'user', ${all.id},
        1, 1, 3600, now(), now(), now())`),
    );
    const { ctx, page } = await newPage(browser, { locale: 'en-GB', baseUrl: v.url });
    await page.goto(`${v.url}/`);
    // Picked before sign-in: kept in local storage, then moved onto the account.
    await page.getByTestId('language-signin').selectOption('de');
    await page.getByRole('heading', { name: 'Anmelden' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Anmelden' }).waitFor();
    await signInForm(page, v.url, all, /Übersicht/);
    await expect.poll(async () => storedLocale(all.id)).toBe('de');
    const storage = await page.evaluate(() => Object.keys(localStorage));
    expect(storage).toEqual([]);
    await page.reload();
    await page.getByRole('heading', { name: 'Übersicht', level: 1 }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');

    // Every page of the menu, in German, without a raw code.
    const base = `${v.url}/app/t/${SLUG}`;
    for (const p of ['users', 'audit', 'alerts', 'settings', 'compliance', 'dpo/requests', 'quarantine']) {
      await page.goto(`${base}/${p}`);
      await page.locator('#main h1').waitFor();
      await page.locator('.spinner').first().waitFor({ state: 'detached' });
      const text = await mainText(page);
      expect({ p, raw: RAW_CODE.exec(text)?.[0] ?? null }).toEqual({ p, raw: null });
      await axe(page, `de ${p}`);
    }
    await page.goto(`${base}/alerts`);
    await page
      .getByRole('link', { name: 'Maskierter Wert außerhalb einer zugewiesenen Konversation aufgedeckt' })
      .click();
    await page.getByRole('heading', { name: /Maskierter Wert außerhalb/, level: 1 }).waitFor();
    expect(RAW_CODE.exec(await mainText(page))?.[0] ?? null).toBeNull();
    await shot(page, 'consoles-01-german-alert');

    // Switched in the console: stored on the account at once.
    await page.getByTestId('language').selectOption('en');
    await page
      .getByRole('heading', { name: 'Alert', level: 1 })
      .or(page.locator('#main h1'))
      .first()
      .waitFor();
    await expect.poll(async () => storedLocale(all.id)).toBe('en');
    await page.getByTestId('language').selectOption('de');
    await expect.poll(async () => storedLocale(all.id)).toBe('de');
    await ctx.close();

    // Another browser with an English locale and empty storage: German from the account.
    const other = await newPage(browser, { locale: 'en-GB', baseUrl: v.url });
    await other.page.goto(`${v.url}/`);
    await other.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signInForm(other.page, v.url, all, /Übersicht/);
    expect(other.errors).toEqual([]);
    await other.ctx.close();
  });

  it('reveal on an unassigned conversation asks to assign first; the audit log shows the reason by name', async () => {
    const conv = await customerChat('Bitte an neue.adresse@example.net schreiben, danke', 'reveal-1');
    const reason = 'Kundin bittet um Bestätigung der neuen Adresse';
    const { ctx, page } = await newPage(browser, { baseUrl: v.url });
    await signInForm(page, v.url, agent, /Overview/);
    await page.goto(`${v.url}/app/t/${SLUG}/inbox/${conv}`);
    await page.getByRole('button', { name: 'E-mail address (masked)', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('reveal-assign-first').waitFor();
    await dialog.getByText('This conversation is not assigned to you.').waitFor();
    await axe(page, 'reveal assign first');
    await shot(page, 'consoles-02-reveal-assign-first');
    // Nothing was revealed, so nothing is in the audit log yet.
    const none = await v.core.db.withTenant(tenantId, (tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from audit_events where action = 'value.reveal' and resource_id = ${conv}`,
      ),
    );
    expect(none[0]!.n).toBe(0);
    await dialog.getByRole('button', { name: 'Assign to me and continue' }).click();
    await dialog.getByLabel('Reason').fill(reason);
    await dialog.getByRole('button', { name: 'Reveal' }).click();
    await page.getByTestId('timeline').locator('mark', { hasText: 'neue.adresse@example.net' }).waitFor();
    const [ev] = await v.core.db.withTenant(tenantId, (tx) =>
      rows<{ meta: { assigned: boolean } }>(
        tx,
        sql`select meta from audit_events where action = 'value.reveal' and resource_id = ${conv}`,
      ),
    );
    expect(ev!.meta.assigned).toBe(true);
    await ctx.close();

    // The investigator finds it by the agent's name and the category, and opens it.
    const so = await v.makeUser([{ role: 'security_officer', tenant: SLUG }]);
    const w = await newPage(browser, { baseUrl: v.url });
    await signInForm(w.page, v.url, so, /Overview/);
    await w.page.goto(`${v.url}/app/t/${SLUG}/audit`);
    await w.page.locator('table tbody tr').first().waitFor();
    await w.page.getByLabel('Actor').fill(AGENT_NAME);
    await w.page.getByLabel('Category').selectOption('value');
    await w.page.getByRole('button', { name: 'Search' }).click();
    const rowsOf = w.page.locator('table tbody tr');
    await expect.poll(() => rowsOf.count()).toBe(1);
    const row = rowsOf.first();
    await row.getByText('Masked value revealed').waitFor();
    await row.getByText(AGENT_NAME).waitFor();
    expect(await row.innerText()).not.toMatch(/User [0-9a-f]{8}/);
    await row.getByRole('button', { name: /Open event/ }).click();
    await w.page.getByTestId('audit-reason').getByText(reason).waitFor();
    await w.page.getByTestId('audit-detail').getByText('E-mail address').waitFor();
    await axe(w.page, 'audit detail');
    await shot(w.page, 'consoles-03-audit-detail');
    expect(w.errors).toEqual([]);
    await w.ctx.close();
  });

  it('the supervisor console shows queues, agents and the service level from real data', async () => {
    const sup = await v.makeUser([{ role: 'supervisor', tenant: SLUG }]);
    const w = await newPage(browser, { baseUrl: v.url });
    await signInForm(w.page, v.url, sup, /Overview/);
    await w.page.getByRole('navigation').getByRole('link', { name: 'Supervision' }).click();
    await w.page.getByRole('heading', { name: 'Supervision', level: 1 }).waitFor();
    const waiting = w.page.getByTestId('waiting-Support');
    const before = Number(await waiting.innerText());
    // A new customer chat arrives: the waiting count rises on the next refresh.
    const conv = await customerChat('Hallo, ich warte auf Antwort', 'sup-1');
    await expect.poll(async () => Number(await waiting.innerText()), { timeout: 15_000 }).toBe(before + 1);
    expect(await w.page.locator('tr', { has: waiting }).innerText()).toMatch(/\d+:\d\d/);
    // The agent answers it at once: it leaves the waiting count and counts as answered in time.
    const agentSession = await v.login(agent);
    expect(
      (
        await v.call(
          'POST',
          `/api/v1/tenants/${SLUG}/conversations/${conv}/assign`,
          { userId: agent.id },
          agentSession,
        )
      ).status,
    ).toBe(200);
    const reply = await v.call(
      'POST',
      `/api/v1/tenants/${SLUG}/conversations/${conv}/messages`,
      { text: 'Guten Tag, wir kümmern uns sofort darum.' },
      agentSession,
    );
    expect(reply.status).toBeLessThan(300);
    await expect.poll(async () => Number(await waiting.innerText()), { timeout: 15_000 }).toBe(before);
    await expect
      .poll(() => w.page.getByTestId('sl-Support').innerText(), { timeout: 15_000 })
      .toMatch(/\d+ %/);
    const agentRow = w.page.locator('tr', { hasText: AGENT_NAME });
    await agentRow.getByText('Online').waitFor();
    expect(Number(await agentRow.locator('td').nth(2).innerText())).toBeGreaterThanOrEqual(1);
    await axe(w.page, 'supervisor');
    await shot(w.page, 'consoles-04-supervisor');
    expect(w.errors).toEqual([]);
    await w.ctx.close();
  });

  it("removing the tenant's last admin role is confirmed in the console and refused by the server", async () => {
    const slug = `${SLUG}-admin`;
    await v.tenant(slug);
    const admin = await v.makeUser([{ role: 'tenant_admin', tenant: slug }]);
    const adminName = 'Ada Admin';
    await v.core.db.withPlatform((tx) =>
      tx.execute(sql`update users set display_name = ${adminName} where id = ${admin.id}`),
    );
    const w = await newPage(browser, { baseUrl: v.url });
    await signInForm(w.page, v.url, admin, /Overview/);
    await w.page.goto(`${v.url}/app/t/${slug}/users`);
    await w.page.getByRole('button', { name: `Roles of ${adminName}` }).click();
    const dialog = w.page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Remove' }).click();
    // One click only asks; the second click is refused by the server with its stable code.
    await dialog.getByText('Remove the role Tenant admin?').waitFor();
    await axe(w.page, 'confirm role removal');
    await dialog.getByRole('button', { name: 'Yes, remove' }).click();
    await w.page.getByText("This is the tenant's last administrator role.").first().waitFor();
    await shot(w.page, 'consoles-05-last-admin');
    const still = await v.core.db.withPlatform((tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from memberships where user_id = ${admin.id} and role = 'tenant_admin'`,
      ),
    );
    expect(still[0]!.n).toBe(1);
    const direct = await v.call(
      'DELETE',
      `/api/v1/tenants/${slug}/users/${admin.id}/roles/tenant_admin`,
      undefined,
      await v.login(admin),
    );
    expect(direct.status).toBe(409);
    expect(direct.json.error.code).toBe('last_admin');
    expect(w.errors).toEqual([]);
    await w.ctx.close();
  });

  it('granting a role is confirmed first: one click only asks, and nothing is stored before the second', async () => {
    const slug = `${SLUG}-grant`;
    await v.tenant(slug);
    const admin = await v.makeUser([{ role: 'tenant_admin', tenant: slug }]);
    const member = await v.makeUser([{ role: 'agent', tenant: slug }]);
    const memberName = 'Greta Grant';
    await v.core.db.withPlatform((tx) =>
      tx.execute(sql`update users set display_name = ${memberName} where id = ${member.id}`),
    );
    const adminRows = () =>
      v.core.db.withPlatform((tx) =>
        rows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from memberships where user_id = ${member.id} and role = 'tenant_admin'`,
        ),
      );
    const w = await newPage(browser, { baseUrl: v.url });
    await signInForm(w.page, v.url, admin, /Overview/);
    await w.page.goto(`${v.url}/app/t/${slug}/users`);
    await w.page.getByRole('button', { name: `Roles of ${memberName}` }).click();
    const dialog = w.page.getByRole('dialog');
    await dialog.getByLabel('Add role').selectOption('tenant_admin');
    await dialog.getByRole('button', { name: 'Grant' }).click();
    await dialog.getByText(/^Grant the role Tenant admin\?/).waitFor();
    await axe(w.page, 'confirm role grant');
    expect((await adminRows())[0]!.n).toBe(0);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.getByRole('button', { name: 'Grant' }).click();
    await dialog.getByRole('button', { name: 'Yes, grant' }).click();
    await w.page.getByText('Role granted').first().waitFor();
    expect((await adminRows())[0]!.n).toBe(1);
    expect(w.errors).toEqual([]);
    await w.ctx.close();
  });

  it('inbox items show customer reference, redacted preview, unread marker and waiting time; search; tab title', async () => {
    const first = await customerChat(
      'Meine Lieferung ist nicht angekommen, bitte an kunde@example.com',
      'inbox-1',
    );
    await customerChat('Frage zur Rechnung vom Mai', 'inbox-2');
    const w = await newPage(browser, { baseUrl: v.url });
    const agent2 = await v.makeUser([{ role: 'agent', tenant: SLUG }]);
    await v.core.db.withTenant(tenantId, (tx) =>
      tx.execute(
        sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenantId}, ${queueId}, ${agent2.id})`,
      ),
    );
    await signInForm(w.page, v.url, agent2, /Overview/);
    await w.page.goto(`${v.url}/app/t/${SLUG}/inbox`);
    const item = w.page.locator(`[data-conversation="${first}"]`);
    await item.waitFor();
    const text = await item.innerText();
    expect(text).toMatch(/Customer [0-9A-F]{6}/);
    expect(text).toContain('Meine Lieferung ist nicht angekommen');
    expect(text).toContain('E-mail address (masked)');
    expect(text).not.toContain('kunde@example.com');
    expect(text).not.toContain('Erika');
    await item.getByTestId('unread').getByText('1 new').waitFor();
    await item.getByTestId('waiting').waitFor();
    await expect.poll(() => w.page.title()).toMatch(/^\(\d+\) /);
    const before = Number(/^\((\d+)\)/.exec(await w.page.title())![1]);
    await axe(w.page, 'inbox items');
    await shot(w.page, 'consoles-06-inbox-items');

    // Search narrows the list to what matches the redacted text.
    await w.page.getByLabel('Search conversations').fill('Rechnung vom Mai');
    await expect.poll(() => w.page.locator('[data-conversation]').count()).toBe(1);
    await w.page.getByLabel('Search conversations').fill('');

    // Opening it marks it read: the marker goes, the tab count drops.
    await item.click();
    await w.page.getByTestId('timeline').waitFor();
    await w.page.getByRole('button', { name: 'Assign to me' }).first().click();
    await expect.poll(() => item.getByTestId('unread').count()).toBe(0);
    await expect.poll(async () => Number(/^\((\d+)\)/.exec(await w.page.title())?.[1] ?? 0)).toBe(before - 1);
    expect(w.errors).toEqual([]);
    await w.ctx.close();
  });

  it('an agent transfers a conversation to a colleague with a note; the colleague holds it', async () => {
    const [from, to] = [
      await v.makeUser([{ role: 'agent', tenant: SLUG }]),
      await v.makeUser([{ role: 'agent', tenant: SLUG }]),
    ];
    await v.core.db.withPlatform((tx) =>
      tx.execute(sql`update users set display_name = 'Bernd Berater' where id = ${to.id}`),
    );
    await v.core.db.withTenant(tenantId, async (tx) => {
      for (const u of [from, to])
        await tx.execute(
          sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenantId}, ${queueId}, ${u.id})`,
        );
    });
    const conv = await customerChat('Ich brauche bitte Hilfe beim Vertrag', 'transfer-1');
    const fromSession = await v.login(from);
    expect(
      (
        await v.call(
          'POST',
          `/api/v1/tenants/${SLUG}/conversations/${conv}/assign`,
          { userId: from.id },
          fromSession,
        )
      ).status,
    ).toBe(200);
    const w = await newPage(browser, { baseUrl: v.url });
    await signInForm(w.page, v.url, from, /Overview/);
    await w.page.goto(`${v.url}/app/t/${SLUG}/inbox/${conv}`);
    await w.page.getByRole('button', { name: 'Transfer' }).click();
    const dialog = w.page.getByRole('dialog');
    await dialog.getByLabel('Agent').selectOption({ label: 'Bernd Berater' });
    await dialog.getByLabel('Note for the receiver (internal)').fill('Vertragsfrage, bitte übernehmen');
    await axe(w.page, 'transfer dialog');
    await dialog.getByRole('button', { name: 'Transfer' }).click();
    await w.page.getByText('Conversation transferred').first().waitFor();
    await shot(w.page, 'consoles-07-transferred');
    const mine = await v.call(
      'GET',
      `/api/v1/tenants/${SLUG}/conversations?assignee=me`,
      undefined,
      await v.login(to),
    );
    const item = mine.json.items.find((c: { id: string }) => c.id === conv);
    expect(item?.assigneeId).toBe(to.id);
    expect(item.unread).toBeGreaterThanOrEqual(1);
    const ev = await v.core.db.withTenant(tenantId, (tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from audit_events where action = 'conversation.transfer' and resource_id = ${conv}`,
      ),
    );
    expect(ev[0]!.n).toBe(1);
    // Someone who does not hold it cannot move it.
    const other = await v.call(
      'POST',
      `/api/v1/tenants/${SLUG}/conversations/${conv}/transfer`,
      { userId: from.id },
      fromSession,
    );
    expect(other.status).toBe(403);
    expect(w.errors).toEqual([]);
    await w.ctx.close();
  });
});
