// The agent inbox in a real Chromium against a real Vigil: a visitor writes through the chat widget
// Vigil serves (embedded in a page of another origin), the conversation appears live in the
// agent's inbox, the agent answers (the visitor sees it), notes, assigns, changes the status with
// keyboard shortcuts, reveals a tokenized value with a reason (audited), reads the customer's chat,
// e-mail and call transcript in one timeline and verifies a caller to unlock masked fields. Also:
// step-up prompt, idle warning, German dates, no personal data in URLs or storage, CSRF, CSP.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgTextArray, systemContext } from '../../src/ingest/index.ts';
import { rows } from '../../src/platform/db.ts';
import { issueApiToken } from '../../src/tenancy/index.ts';
import { freshTotp, type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import {
  axe,
  ensureWebBuild,
  expectCsrfOnWrites,
  expectNoPersonalDataInUrlsOrStorage,
  launch,
  newPage,
  shot,
  signIn,
  type Watched,
} from './browser.ts';

const SLUG = 'web-inbox';
const ERIKA = {
  name: 'Erika Musterfrau',
  emails: ['erika.musterfrau@example.org'],
  phones: ['+49 30 23125 777'],
  dateOfBirth: '1980-04-12',
  address: { street: 'Musterweg 7', postalCode: '10115', city: 'Berlin', country: 'DE' },
  customerNumber: 'AC-55001',
};
const VISITOR_MAIL = 'max.visitor@example.net';

describe(`agent inbox in the browser (${testDbKind})`, () => {
  let v: TestVigil;
  let browser: Browser;
  let host: Server;
  let hostUrl: string;
  let agent: TestUser;
  let agent2: TestUser;
  let supSession: Session;
  let so: TestUser;
  let soSession: Session;
  let tenantId: string;
  let erikaId: string;
  let callConversation: string;
  let agentView: Watched;

  beforeAll(async () => {
    await ensureWebBuild();
    // A shorter idle timeout than the default: the console must learn it from the server.
    v = await startTestVigil({ sessionIdleMinutes: 10 });
    tenantId = await v.tenant(SLUG);
    agent = await v.makeUser([{ role: 'agent', tenant: SLUG }]);
    so = await v.makeUser([{ role: 'security_officer', tenant: SLUG }]);
    const sup = await v.makeUser([{ role: 'supervisor', tenant: SLUG }]);
    // A queue with the agent, the widget for any port on 127.0.0.1, e-mail addresses tokenized.
    const queueId = await v.core.db.withTenant(tenantId, async (tx) => {
      const [q] = await rows<{ id: string }>(
        tx,
        sql`insert into queues (tenant_id, name) values (${tenantId}, 'Support') returning id`,
      );
      await tx.execute(
        sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenantId}, ${q!.id}, ${agent.id})`,
      );
      await tx.execute(sql`insert into chat_widget_settings (tenant_id, allowed_origins, queue_id)
        values (${tenantId}, ${pgTextArray(['http://127.0.0.1'])}::text[], ${q!.id})`);
      await tx.execute(
        sql`insert into tenant_pii_policies (tenant_id, policy) values (${tenantId}, ${JSON.stringify({
          defaultOperator: 'keep',
          entities: { PAYMENT_CARD: { operator: 'redact' }, EMAIL: { operator: 'tokenize' } },
        })}::jsonb)`,
      );
      return q!.id;
    });
    agent2 = await v.makeUser([{ role: 'agent', tenant: SLUG }]);
    supSession = await v.login(sup);
    soSession = await v.login(so);
    const c = await v.call('POST', `/api/v1/tenants/${SLUG}/customers`, ERIKA, supSession);
    expect(c.status).toBe(201);
    erikaId = c.json.id;

    // Erika on three channels: a chat and an e-mail (through the ingest pipeline, as the demo
    // does), and a phone call with its transcript through the telephony API.
    const contact = v.app.contact!;
    const ctx = systemContext({ id: tenantId, slug: SLUG, name: SLUG });
    const chat = await contact.ingest.ingestMessage(ctx, {
      channel: 'chat',
      direction: 'inbound',
      author: { type: 'customer', id: null },
      text: 'Hallo, wo bleibt meine Bestellung?',
      idempotencyKey: 'web-inbox:chat:1',
      lang: 'de',
      newConversation: { channel: 'chat', customer: { id: erikaId }, queueId },
    });
    // Customer text that looks like markup stays text: no element, no script.
    await contact.ingest.ingestMessage(ctx, {
      channel: 'chat',
      direction: 'inbound',
      author: { type: 'customer', id: null },
      text: 'Test <img src=x onerror="window.__pwned=1"> <b>fett</b>',
      idempotencyKey: 'web-inbox:chat:2',
      lang: 'de',
      conversationId: chat.conversationId,
    });
    await contact.ingest.ingestMessage(ctx, {
      channel: 'email',
      direction: 'inbound',
      author: { type: 'customer', id: null },
      text: 'Guten Tag, die Rechnung vom März fehlt mir noch.',
      idempotencyKey: 'web-inbox:email:1',
      lang: 'de',
      newConversation: { channel: 'email', customer: { id: erikaId }, queueId, subject: 'Rechnung März' },
    });
    const { token } = await issueApiToken(v.core.db, { tenantId, name: 'pbx', scopes: ['calls:write'] });
    const pbx = { authorization: `Bearer ${token}` };
    const call = await v.call(
      'POST',
      `/api/v1/tenants/${SLUG}/calls`,
      { from: ERIKA.phones[0], to: '+49 30 23125 999', direction: 'inbound', queueId, language: 'de' },
      null,
      pbx,
    );
    expect(call.status).toBe(201);
    callConversation = call.json.conversationId;
    const tr = await v.call(
      'POST',
      `/api/v1/tenants/${SLUG}/calls/${call.json.callId}/transcript`,
      {
        segments: [
          { seq: 0, speaker: 'customer', text: 'Ich möchte meine Adresse ändern.' },
          { seq: 1, speaker: 'agent', text: 'Gern, dazu muss ich Sie kurz verifizieren.' },
        ],
      },
      null,
      pbx,
    );
    expect(tr.status).toBe(201);

    // The shop page of another origin that embeds Vigil's widget script.
    host = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        `<!doctype html><html lang="de"><head><title>Shop</title></head><body><h1>Shop</h1><script src="${v.url}/widget/${SLUG}.js" async></script></body></html>`,
      );
    });
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => host?.close(r));
    await v?.close();
  });

  it('a widget conversation appears live; the agent answers, notes, assigns, changes status and reveals with a reason', async () => {
    agentView = await newPage(browser, { baseUrl: v.url });
    const { page } = agentView;
    await signIn(page, v.url, agent);
    await page.getByRole('navigation').getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    const items = page.getByTestId('conversation-list').locator('button.conv-item');
    await expect.poll(() => items.count()).toBe(3);
    await axe(page, 'inbox list');

    // The visitor writes on the shop page; the inbox shows the new conversation without a reload.
    const visitorCtx = await browser.newContext({ locale: 'de-DE' });
    const visitor = await visitorCtx.newPage();
    await visitor.goto(hostUrl);
    // The shop page is German, so is the widget; its consent notice is acknowledged first.
    await visitor.getByRole('button', { name: 'Chatten Sie mit uns' }).click();
    await visitor.getByRole('button', { name: 'OK, Chat starten' }).click();
    await visitor.getByLabel('Ihre Nachricht').fill(`Hallo! Bitte antworten Sie an ${VISITOR_MAIL}`);
    await visitor.getByRole('button', { name: 'Senden' }).click();
    await visitor.getByRole('log').getByText('Sie:').waitFor();
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBe(4);
    await shot(page, '20-inbox-live');

    // Open it with j (the newest is first), assign with a, reply with r.
    const chatId = await items.first().getAttribute('data-conversation');
    await page.locator('main h1').click();
    await page.keyboard.press('j');
    await page.waitForURL(`**/inbox/${chatId}`);
    await page.getByRole('button', { name: 'E-mail address (masked)', exact: true }).waitFor();
    expect(await page.getByTestId('timeline').innerText()).not.toContain(VISITOR_MAIL);
    await page.keyboard.press('a');
    await page.getByText('Assigned to me').waitFor();
    await page.keyboard.press('r');
    await page.getByLabel('Reply to the customer').fill('Danke, wir kümmern uns sofort darum.');
    await page.keyboard.press('Control+Enter');
    await page.getByText('Reply sent').waitFor();
    await visitor
      .getByRole('log')
      .getByText('Danke, wir kümmern uns sofort darum.')
      .waitFor({ timeout: 10_000 });
    await shot(visitor, '21-widget-reply');

    // An internal note (n) stays internal.
    await page.locator('main h1').click();
    await page.keyboard.press('n');
    await page.getByLabel('Note for colleagues (not sent to the customer)').fill('Kunde wartet seit Montag.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByTestId('timeline').getByText('Kunde wartet seit Montag.').waitFor();
    // A later reply reaches the visitor after anything sent before it: once it is there, the note
    // would have been too.
    await page.locator('main h1').click();
    await page.keyboard.press('r');
    await page.getByLabel('Reply to the customer').fill('Wir melden uns gleich wieder.');
    await page.keyboard.press('Control+Enter');
    await visitor.getByRole('log').getByText('Wir melden uns gleich wieder.').waitFor({ timeout: 10_000 });
    expect(await visitor.getByRole('log').innerText()).not.toContain('Kunde wartet');
    await visitorCtx.close();

    // Status through the select, then e resolves.
    await page.getByRole('combobox', { name: 'Status' }).last().selectOption('pending');
    await page.getByText('Status: Pending').waitFor();
    await page.locator('main h1').click();
    await page.keyboard.press('e');
    await page.getByText('Status: Resolved').waitFor();
    const list = await v.call(
      'GET',
      `/api/v1/tenants/${SLUG}/conversations?status=resolved&assignee=${agent.id}`,
      undefined,
      supSession,
    );
    expect(list.json.items.map((c: { id: string }) => c.id)).toContain(chatId);

    // Reveal with a reason: too short is refused in the dialog; a real reason reveals, audited.
    await page.getByRole('button', { name: 'E-mail address (masked)', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('short');
    await dialog.getByRole('button', { name: 'Reveal' }).click();
    await dialog.getByText('at least 10 characters').first().waitFor();
    await axe(page, 'reveal dialog');
    await dialog.getByLabel('Reason').fill('Customer asked us to confirm the reply address');
    await dialog.getByRole('button', { name: 'Reveal' }).click();
    await page.getByTestId('timeline').locator('mark', { hasText: VISITOR_MAIL }).waitFor();
    const audit = await v.call(
      'GET',
      `/api/v1/tenants/${SLUG}/audit/events?action=value.reveal&resourceId=${chatId}`,
      undefined,
      soSession,
    );
    expect(audit.status).toBe(200);
    expect(audit.json.events).toHaveLength(1);
    expect(audit.json.events[0].actorId).toBe(agent.id);
    expect(JSON.stringify(audit.json)).not.toContain(VISITOR_MAIL);
    await shot(page, '22-revealed');

    // The shortcuts are documented in the help dialog (?).
    await page.locator('main h1').click();
    await page.keyboard.press('?');
    const help = page.getByTestId('shortcut-help');
    await help.waitFor();
    for (const k of ['j / k', 'r', 'n', 'a', 'e', 't', '?'])
      await help.getByText(k, { exact: true }).waitFor();
    await axe(page, 'shortcut help');
    await shot(page, '23-shortcuts');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await axe(page, 'conversation');
    expect(agentView.errors).toEqual([]);
  });

  it('shows chat, e-mail and the call transcript in one timeline and unlocks masked fields after verification', async () => {
    const { page } = agentView;
    await page.getByRole('combobox', { name: 'Channel' }).selectOption('voice');
    await page.locator(`[data-conversation="${callConversation}"]`).click();
    await page.getByTestId('timeline').getByText('Ich möchte meine Adresse ändern.').waitFor();
    await page.getByText('Caller', { exact: true }).waitFor();
    // Calls are answered by phone: only notes here.
    expect(await page.getByRole('button', { name: /Reply by/ }).count()).toBe(0);

    await page.getByRole('button', { name: 'All channels of this customer' }).click();
    const timeline = page.getByTestId('timeline');
    await timeline.getByText('Guten Tag, die Rechnung vom März fehlt mir noch.').waitFor();
    await timeline.getByText('Hallo, wo bleibt meine Bestellung?').waitFor();
    const channels = await timeline
      .locator('li')
      .evaluateAll((els) =>
        els.map((e) => (e as unknown as { dataset: { channel: string } }).dataset.channel),
      );
    expect(new Set(channels)).toEqual(new Set(['chat', 'email', 'voice']));
    expect(await timeline.locator('img, b, script').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    await shot(page, '24-all-channels');

    // Masked until verified; answers are compared on the server, the agent sees pass/fail only.
    const fields = page.getByTestId('customer-fields');
    await fields.getByText(ERIKA.name).waitFor();
    expect(await fields.locator('[data-field="dateOfBirth"]').innerText()).toContain('masked');
    expect(await fields.innerText()).not.toContain('1980');
    expect(await fields.innerText()).not.toContain('Musterweg');
    await axe(page, 'customer panel');
    const form = page.getByTestId('verification-state');
    await form.getByText('0 of 2 answers correct · 3 attempts left').waitFor();
    await form.getByLabel('Question').selectOption('date_of_birth');
    await form.getByLabel('Caller’s answer').fill('01.01.1970');
    await form.getByRole('button', { name: 'Check answer' }).click();
    await form.getByText('Does not match.').waitFor();
    await form.getByText('2 attempts left', { exact: false }).waitFor();
    await form.getByLabel('Question').selectOption('date_of_birth');
    await form.getByLabel('Caller’s answer').fill('12.04.1980');
    await form.getByRole('button', { name: 'Check answer' }).click();
    await form.getByText('Correct.').waitFor();
    await form.getByLabel('Question').selectOption('postcode');
    await form.getByLabel('Caller’s answer').fill('10 115');
    await form.getByRole('button', { name: 'Check answer' }).click();
    await page.getByTestId('verification-state').getByText('Verified').waitFor();
    await fields.getByText('1980-04-12').waitFor();
    await fields.getByText('Musterweg 7', { exact: false }).waitFor();
    await shot(page, '25-verified');
    const attempts = await v.call(
      'GET',
      `/api/v1/tenants/${SLUG}/audit/events?resourceId=${callConversation}`,
      undefined,
      soSession,
    );
    expect(JSON.stringify(attempts.json)).not.toContain('1980');

    // German: labels and dates follow the language.
    await page.getByTestId('language').selectOption('de');
    await page.getByRole('heading', { name: 'Posteingang', level: 1 }).waitFor();
    const when = await page.getByTestId('timeline').locator('time').first().innerText();
    expect(when).toMatch(/^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}$/);
    await axe(page, 'inbox (de)');
    await shot(page, '26-inbox-de');
    await page.getByTestId('language').selectOption('en');

    // Nothing personal in any URL or in web storage; every state change carried the CSRF token.
    await expectNoPersonalDataInUrlsOrStorage(agentView, [
      ERIKA.name,
      ERIKA.emails[0]!,
      ERIKA.phones[0]!,
      ERIKA.dateOfBirth,
      '12.04.1980',
      VISITOR_MAIL,
    ]);
    expectCsrfOnWrites(agentView);
    expect(agentView.writes.length).toBeGreaterThan(8);

    // Sign-out ends the session and leaves nothing of it in the page.
    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const body = await page.locator('body').innerText();
    for (const x of [ERIKA.name, VISITOR_MAIL, 'Musterweg']) expect(body).not.toContain(x);
    expect(await page.evaluate(async () => (await fetch('/api/v1/me')).status)).toBe(401);
    await expectNoPersonalDataInUrlsOrStorage(agentView, [ERIKA.name, VISITOR_MAIL]);
    expect(agentView.errors).toEqual([]);
    await agentView.ctx.close();
  });

  it('asks for a fresh code when monitoring demands a step-up, then retries', async () => {
    const w = await newPage(browser, { baseUrl: v.url });
    await signIn(w.page, v.url, agent2);
    await v.app.auth.requireStepUp(agent2.id);
    await w.page.getByRole('navigation').getByRole('link', { name: 'Inbox' }).click();
    const dialog = w.page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    await axe(w.page, 'step-up');
    await shot(w.page, '27-step-up');
    await dialog.getByLabel('Authentication code').fill('000000');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.getByText('That code is not correct', { exact: false }).waitFor();
    await dialog.getByLabel('Authentication code').fill(freshTotp(agent2.totpSecret));
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await w.page.getByText('Inbox zero').waitFor();
    expect(await dialog.isVisible()).toBe(false);
    expectCsrfOnWrites(w);
    expect(w.errors).toEqual([]);
    await w.ctx.close();
  });

  it('warns before the server’s idle timeout and keeps the session on request', async () => {
    const w = await newPage(browser, { baseUrl: v.url, locale: 'de-DE' });
    // The page's clock is fake from its first script on, so the console's idle timer and its record
    // of the last answered request both run on it; the test moves it, never waits for it.
    await w.page.clock.install();
    await w.page.addInitScript({ content: countApiAnswers });
    // The browser's language is the default before anyone signs in.
    await w.page.goto(`${v.url}/`);
    await w.page.getByRole('heading', { name: 'Anmelden' }).waitFor();
    await w.page.getByTestId('language-signin').selectOption('en');
    await signIn(w.page, v.url, so, { navigate: false });
    // Signing in leaves GET /api/v1/me in flight (it carries the idle timeout and restarts the idle
    // clock): wait until the console has handled every answer, then stop the clock at fixed
    // distances from the last one.
    await expect
      .poll(() => w.page.evaluate(() => (globalThis as unknown as PageProbe).__api.pending))
      .toBe(0);
    const answeredAt = await w.page.evaluate(() => (globalThis as unknown as PageProbe).__api.lastAnswerAt);
    // Idle timeout 10 minutes (server configuration): the warning comes 2 minutes before, at 8.
    await w.page.clock.pauseAt(answeredAt + 7 * 60_000);
    await w.page.clock.runFor(2_000);
    const dialog = w.page.getByRole('dialog');
    expect(await dialog.isVisible()).toBe(false);
    await w.page.clock.pauseAt(answeredAt + 8 * 60_000);
    // One second of page time per poll: the idle timer ticks however slowly the machine runs.
    await expect
      .poll(
        async () => {
          await w.page.clock.runFor(1_000);
          return dialog.getByRole('heading', { name: 'Are you still there?' }).isVisible();
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    // The countdown follows the server's 10 minutes, not the console's default of 15.
    const left = Number(/signed out in (\d+) seconds/.exec(await dialog.innerText())?.[1]);
    expect(left).toBeGreaterThan(60);
    expect(left).toBeLessThanOrEqual(120);
    // axe and screenshots need the page's timers; the warning stays up for the two minutes left.
    await w.page.clock.resume();
    await axe(w.page, 'idle warning');
    await shot(w.page, '28-idle-warning');
    await dialog.getByRole('button', { name: 'Stay signed in' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await w.page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    expect(w.errors).toEqual([]);
    await w.ctx.close();
  });
});

interface PageProbe {
  __api: { pending: number; lastAnswerAt: number };
}

/**
 * Runs in the page before its scripts: counts the console's API calls until their body is read,
 * and when the last was. (A string: the test transform would add helpers to a function's source.)
 */
const countApiAnswers = `(() => {
  const probe = { pending: 0, lastAnswerAt: 0 };
  globalThis.__api = probe;
  const original = globalThis.fetch.bind(globalThis);
  const done = () => {
    probe.pending -= 1;
    probe.lastAnswerAt = Date.now();
  };
  globalThis.fetch = (input, init) => {
    probe.pending += 1;
    return original(input, init).then(
      (res) => {
        const text = res.text.bind(res);
        // The console reads every answer with text(); its own handling runs right after this.
        Object.defineProperty(res, 'text', { value: () => text().finally(done) });
        return res;
      },
      (e) => {
        done();
        throw e;
      },
    );
  };
})();`;
