// The agent inbox of issue 25 in a real Chromium against a real Vigil: an agent finds a
// conversation by server-side search, inserts a macro (filled on the server), replies and
// transfers it to a colleague, who gets a desktop notification, a sound and a count in the tab
// title; a chat visitor on a shop page sees "Agent is typing…" and the agent sees the visitor
// typing; on a phone (390×844) the list and the conversation are two screens with the reply box in
// reach. axe finds no serious or critical violation on any of these pages.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgTextArray, systemContext } from '../../src/ingest/index.ts';
import { rows } from '../../src/platform/db.ts';
import { startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import {
  axe,
  ensureWebBuild,
  expectNoPersonalDataInUrlsOrStorage,
  launch,
  newPage,
  shot,
  signIn,
} from './browser.ts';

const SLUG = 'web-inbox-agent';
const CUSTOMER = { name: 'Ottilie Brandauer', emails: ['ottilie.b@example.org'] };

/** Records desktop notifications and chimes while still calling the browser's own APIs. */
async function spyOnAlerts(page: Page) {
  await page.addInitScript(() => {
    const g = globalThis as unknown as Record<string, unknown> & {
      Notification: {
        new (t: string, o?: { body?: string }): object;
        permission: string;
        requestPermission(): Promise<string>;
      };
      AudioContext: new () => object;
    };
    const notes: Array<{ title: string; body?: string }> = [];
    g.__notes = notes;
    g.__chimes = 0;
    const RealN = g.Notification;
    const SpyN = function (this: unknown, title: string, opts?: { body?: string }) {
      notes.push({ title, ...(opts?.body ? { body: opts.body } : {}) });
      return new RealN(title, opts);
    } as unknown as typeof RealN;
    Object.defineProperty(SpyN, 'permission', { get: () => RealN.permission });
    SpyN.requestPermission = () => RealN.requestPermission();
    g.Notification = SpyN;
    const RealA = g.AudioContext;
    g.AudioContext = class extends RealA {
      constructor() {
        super();
        g.__chimes = (g.__chimes as number) + 1;
      }
    };
  });
}

describe(`agent inbox: search, macros, transfer, notifications, typing, phone (${testDbKind})`, () => {
  let v: TestVigil;
  let browser: Browser;
  let host: Server;
  let hostUrl: string;
  let agent: TestUser;
  let colleague: TestUser;
  /** A third agent of the queue for the phone (a user signs in at most twice per TOTP step). */
  let mobile: TestUser;
  let supervisor: TestUser;
  let tenantId: string;
  let queueId: string;

  beforeAll(async () => {
    await ensureWebBuild();
    v = await startTestVigil();
    tenantId = await v.tenant(SLUG);
    agent = await v.makeUser([{ role: 'agent', tenant: SLUG }]);
    colleague = await v.makeUser([{ role: 'agent', tenant: SLUG }]);
    mobile = await v.makeUser([{ role: 'agent', tenant: SLUG }]);
    supervisor = await v.makeUser([{ role: 'supervisor', tenant: SLUG }]);
    const sup = await v.login(supervisor);
    await v.core.db.withPlatform(async (tx) => {
      await tx.execute(sql`update users set display_name = 'Karla Kundendienst' where id = ${agent.id}`);
      await tx.execute(sql`update users set display_name = 'Bruno Zweit' where id = ${colleague.id}`);
    });
    queueId = await v.core.db.withTenant(tenantId, async (tx) => {
      const [q] = await rows<{ id: string }>(
        tx,
        sql`insert into queues (tenant_id, name) values (${tenantId}, 'Support') returning id`,
      );
      for (const u of [agent, colleague, mobile])
        await tx.execute(
          sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenantId}, ${q!.id}, ${u.id})`,
        );
      await tx.execute(sql`insert into chat_widget_settings (tenant_id, allowed_origins, queue_id)
        values (${tenantId}, ${pgTextArray(['http://127.0.0.1'])}::text[], ${q!.id})`);
      await tx.execute(
        sql`insert into tenant_pii_policies (tenant_id, policy) values (${tenantId}, ${JSON.stringify({
          defaultOperator: 'keep',
          entities: { EMAIL: { operator: 'tokenize' } },
        })}::jsonb)`,
      );
      return q!.id;
    });
    const c = await v.call('POST', `/api/v1/tenants/${SLUG}/customers`, CUSTOMER, sup);
    expect(c.status).toBe(201);
    const ctx = systemContext({ id: tenantId, slug: SLUG, name: SLUG });
    for (const [key, text] of [
      ['flute', 'Meine Zauberflöte ist nicht angekommen'],
      ['invoice', 'Die Rechnung vom März fehlt noch'],
      ['address', 'Bitte ändern Sie meine Lieferadresse'],
    ] as const)
      await v.app.contact!.ingest.ingestMessage(ctx, {
        channel: 'chat',
        direction: 'inbound',
        author: { type: 'customer', id: null },
        text,
        idempotencyKey: `${SLUG}:${key}`,
        lang: 'de',
        newConversation: { channel: 'chat', customer: { id: c.json.id }, queueId },
      });
    const macro = await v.call(
      'POST',
      `/api/v1/tenants/${SLUG}/macros`,
      {
        name: 'Apology for the delay',
        language: 'en',
        body: 'Hello {{customer.firstName}}, sorry for the delay. {{agent.firstName}}',
      },
      sup,
    );
    expect(macro.status).toBe(201);

    host = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        `<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>Shop</h1><script src="${v.url}/widget/${SLUG}.js" async></script></body></html>`,
      );
    });
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => host?.close(r));
    await v?.close();
  });

  it('finds a conversation by search, uses a macro, transfers it; the colleague is notified', async () => {
    const receiver = await newPage(browser, { baseUrl: v.url });
    await receiver.ctx.grantPermissions(['notifications'], { origin: v.url });
    await spyOnAlerts(receiver.page);
    await signIn(receiver.page, v.url, colleague);
    await receiver.page.goto(`${v.url}/app/t/${SLUG}/inbox`);
    await receiver.page.getByText('Live', { exact: true }).waitFor();

    const w = await newPage(browser, { baseUrl: v.url });
    const page = w.page;
    await signIn(page, v.url, agent);
    await page.goto(`${v.url}/app/t/${SLUG}/inbox`);
    const list = page.getByTestId('conversation-list');
    await expect.poll(() => list.locator('[data-conversation]').count()).toBe(3);
    // Each waiting chat shows its service level in words (the clock is the default target here).
    await expect.poll(() => list.getByTestId('sla').count()).toBe(3);
    expect(await list.getByTestId('sla').first().textContent()).toMatch(/^SLA (\d+:\d{2} left|breached)$/);
    // Server-side search: words of the redacted text; then the customer's e-mail (blind index).
    await page.getByLabel('Search conversations').fill('Zauberflöte');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => list.locator('[data-conversation]').count()).toBe(1);
    await expect.poll(() => list.innerText()).toContain('Zauberflöte');
    await axe(page, 'inbox search results');
    await shot(page, 'inbox-agent-01-search');
    await page.getByLabel('Search conversations').fill(CUSTOMER.emails[0]!);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => list.locator('[data-conversation]').count()).toBe(3);
    await page.getByLabel('Search conversations').fill('Zauberflöte');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => list.locator('[data-conversation]').count()).toBe(1);
    await list.locator('[data-conversation]').first().click();

    // The customer panel shows the linked customer; the tokenized e-mail stays masked.
    const fields = page.getByTestId('customer-fields');
    await expect.poll(() => fields.innerText()).toContain(CUSTOMER.name);
    expect(await fields.innerText()).not.toContain(CUSTOMER.emails[0]);
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await page.getByText('Assigned to me').waitFor();

    // The macro, filled on the server, lands in the reply box.
    await page.getByLabel('Canned reply').selectOption({ label: 'Apology for the delay' });
    await page.getByRole('button', { name: 'Insert' }).click();
    const box = page.getByLabel('Reply to the customer');
    await expect.poll(() => box.inputValue()).toBe('Hello Ottilie, sorry for the delay. Karla');
    await axe(page, 'conversation with a macro');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByText('Reply sent').first().waitFor();

    // Transfer to the colleague, who is told on the desktop, by a sound and in the tab title.
    await page.getByRole('button', { name: 'Transfer', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Agent').selectOption({ label: 'Bruno Zweit' });
    await dialog.getByLabel('Note for the receiver (internal)').fill('Bitte Versand prüfen');
    await dialog.getByRole('button', { name: 'Transfer' }).click();
    await page.getByText('Conversation transferred').first().waitFor();
    await expect
      .poll(() => receiver.page.evaluate(() => (globalThis as unknown as { __notes: unknown[] }).__notes), {
        timeout: 10_000,
      })
      .toContainEqual({ title: 'Vigil console', body: 'A conversation was assigned to you' });
    expect(
      await receiver.page.evaluate(() => (globalThis as unknown as { __chimes: number }).__chimes),
    ).toBeGreaterThan(0);
    await expect.poll(() => receiver.page.title()).toMatch(/^\(\d+\) /);
    await receiver.page
      .getByTestId('notification-announcement')
      .getByText('A conversation was assigned to you')
      .waitFor({ state: 'attached' });
    // The colleague's own view now holds the conversation.
    await receiver.page.getByRole('button', { name: 'Mine', exact: true }).click();
    const mine = receiver.page.getByTestId('conversation-list').locator('[data-conversation]');
    await expect.poll(() => mine.count()).toBe(1);
    await axe(receiver.page, 'inbox after a transfer');
    await shot(receiver.page, 'inbox-agent-02-transferred');
    await expectNoPersonalDataInUrlsOrStorage(w, [...CUSTOMER.emails, 'Zauberflöte', CUSTOMER.name]);
    expect(w.errors).toEqual([]);
    await receiver.ctx.close();
    await w.ctx.close();
  });

  it('a chat visitor sees the agent typing, and the agent sees the visitor typing', async () => {
    const visitorCtx = await browser.newContext({ locale: 'en-GB' });
    const visitor = await visitorCtx.newPage();
    await visitor.goto(hostUrl);
    // The shop page is English, so is the widget; its consent notice is acknowledged first.
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    await visitor.getByRole('button', { name: 'OK, start chatting' }).click();
    await visitor.getByLabel('Your message').fill('Hello, is anyone there?');
    await visitor.getByRole('button', { name: 'Send' }).click();
    await visitor.getByRole('log').getByText('You:').waitFor();

    const w = await newPage(browser, { baseUrl: v.url });
    const page = w.page;
    await signIn(page, v.url, agent);
    await page.goto(`${v.url}/app/t/${SLUG}/inbox`);
    await page.getByLabel('Search conversations').fill('anyone');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const list = page.getByTestId('conversation-list');
    await expect.poll(() => list.locator('[data-conversation]').count(), { timeout: 10_000 }).toBe(1);
    await list.locator('[data-conversation]').first().click();
    await page.getByText('Live', { exact: true }).waitFor();

    // Visitor → agent.
    await visitor.getByLabel('Your message').pressSequentially('Still', { delay: 50 });
    await page.getByTestId('visitor-typing').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('visitor-typing').innerText()).toBe('The customer is typing…');
    await axe(page, 'conversation with the visitor typing');
    // Agent → visitor.
    await page.getByLabel('Reply to the customer').pressSequentially('One moment', { delay: 30 });
    await visitor.getByText('Agent is typing…').waitFor({ timeout: 10_000 });
    await shot(visitor, 'inbox-agent-03-visitor-sees-typing');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await visitor.getByRole('log').getByText('One moment').waitFor({ timeout: 10_000 });
    expect(await visitor.locator('[data-vigil-typing]').innerText()).toBe('');
    await visitorCtx.close();
    await w.ctx.close();
  });

  it('on a phone (390×844): list → conversation → back, with the reply box in reach', async () => {
    const w = await newPage(browser, { baseUrl: v.url });
    const page = w.page;
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, v.url, mobile);
    await page.goto(`${v.url}/app/t/${SLUG}/inbox`);
    const list = page.getByTestId('conversation-list');
    await expect.poll(() => list.locator('[data-conversation]').count()).toBeGreaterThan(1);
    await axe(page, 'inbox list on a phone');
    await shot(page, 'inbox-agent-04-phone-list');
    await list.locator('[data-conversation]').first().click();
    // The list gives way to the conversation, which starts on screen.
    await expect.poll(() => list.isVisible()).toBe(false);
    const back = page.getByRole('button', { name: '← Conversations' });
    await back.waitFor();
    const top = await page.locator('.conv-title').boundingBox();
    expect(top!.y).toBeGreaterThanOrEqual(0);
    expect(top!.y).toBeLessThan(844);
    const box = page.getByLabel('Reply to the customer');
    await box.scrollIntoViewIfNeeded();
    const b = await box.boundingBox();
    expect(b!.y + b!.height).toBeLessThanOrEqual(844);
    expect(b!.width).toBeLessThanOrEqual(390);
    await box.fill('Reachable on a phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await axe(page, 'conversation on a phone');
    await shot(page, 'inbox-agent-05-phone-conversation');
    await back.click();
    await list.waitFor();
    expect(await list.isVisible()).toBe(true);
    await w.ctx.close();
  });

  it('a supervisor writes a canned reply in the inbox; a bad placeholder is refused', async () => {
    const w = await newPage(browser, { baseUrl: v.url });
    const page = w.page;
    await signIn(page, v.url, supervisor);
    await page.goto(`${v.url}/app/t/${SLUG}/inbox`);
    await page.getByRole('button', { name: 'Canned replies' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByTestId('macro-list').getByText('Apology for the delay (en)').waitFor();
    await dialog.getByLabel('Name').fill('Rückruf');
    await dialog.getByLabel('Text').fill('Hallo {{customer.fristName}}');
    await dialog.getByRole('button', { name: 'Add canned reply' }).click();
    await dialog.getByRole('alert').waitFor();
    await axe(page, 'canned replies dialog');
    await dialog.getByLabel('Text').fill('Hallo {{customer.firstName}}, wir rufen Sie zurück.');
    await dialog.getByRole('button', { name: 'Add canned reply' }).click();
    await dialog.getByTestId('macro-list').getByText('Rückruf (de)').waitFor();
    const list = await v.call(
      'GET',
      `/api/v1/tenants/${SLUG}/macros?language=de`,
      undefined,
      await v.login(colleague),
    );
    expect(list.json.items.map((m: { name: string }) => m.name)).toEqual(['Rückruf']);
    await w.ctx.close();
  });
});
