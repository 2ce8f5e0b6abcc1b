// The chat widget (issue 25) on the demo shop page that `npm start` serves, in a real Chromium:
// a tenant admin themes it (colours checked for contrast, https-only links, audited); the widget
// then shows in the tenant's colours and position, speaks the page's language (de, en, fr), asks
// for the consent notice to be acknowledged before the first message, works by keyboard and
// passes axe with its panel open. The visitor's message reaches the tenant's conversations.
import { sql } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contrastRatio } from '../../src/channels/chat/theme.ts';
import { rows } from '../../src/platform/db.ts';
import { startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { axe, ensureWebBuild, launch, newPage, shot, signIn } from './browser.ts';

const SLUG = 'acme-shop';
const THEME = {
  primary: '#7a1f5c',
  onPrimary: '#ffffff',
  position: 'bottom-left',
  language: 'auto',
  logoUrl: null,
  privacyUrl: 'https://acme-shop.example/datenschutz',
  title: 'Acme Kundenservice',
};

describe(`the chat widget on the demo shop (${testDbKind})`, () => {
  let v: TestVigil;
  let browser: Browser;
  let admin: TestUser;

  beforeAll(async () => {
    await ensureWebBuild();
    v = await startTestVigil({ demo: true });
    admin = await v.makeUser([{ role: 'tenant_admin', tenant: SLUG }]);
    browser = await launch();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await v?.close();
  });

  it('a tenant admin sets the look in the console', async () => {
    const w = await newPage(browser, { baseUrl: v.url });
    await signIn(w.page, v.url, admin);
    await w.page.getByRole('navigation').getByRole('link', { name: 'Chat widget' }).click();
    await w.page.getByRole('heading', { name: 'Chat widget', level: 1 }).waitFor();
    await w.page.getByLabel('Heading').fill('Acme Hilfe');
    await w.page.getByLabel('Logo address').fill('http://insecure.example/logo.png');
    await w.page.getByRole('button', { name: 'Save' }).click();
    await w.page.getByRole('alert').first().waitFor();
    await w.page.getByLabel('Logo address').fill('');
    await w.page.getByRole('button', { name: 'Save' }).click();
    await w.page.getByText('Widget saved', { exact: false }).first().waitFor();
    expect(await w.page.getByTestId('widget-snippet').textContent()).toBe(
      `<script src="${v.url}/widget/${SLUG}.js" async></script>`,
    );
    await axe(w.page, 'widget settings');
    expect(w.errors).toEqual([]);
    await w.ctx.close();
    const s = await v.login(admin);
    expect((await v.call('GET', `/api/v1/tenants/${SLUG}/widget/theme`, undefined, s)).json.title).toBe(
      'Acme Hilfe',
    );
  });

  it('validates and audits the theme', async () => {
    const s = await v.login(admin);
    const put = (body: unknown) => v.call('PUT', `/api/v1/tenants/${SLUG}/widget/theme`, body, s);
    const low = await put({ ...THEME, onPrimary: '#8a3f6c' });
    expect(low.status).toBe(422);
    expect(low.json.error.details[0].path).toBe('onPrimary');
    expect((await put({ ...THEME, logoUrl: 'http://acme.example/logo.png' })).status).toBe(400);
    expect((await put({ ...THEME, logoUrl: 'javascript:alert(1)' })).status).toBe(400);
    expect((await put({ ...THEME, primary: 'red' })).status).toBe(400);
    expect((await put({ ...THEME, position: 'top' })).status).toBe(400);
    expect((await put({ ...THEME, extra: 1 })).status).toBe(400);
    const agent = await v.login(await v.makeUser([{ role: 'agent', tenant: SLUG }]));
    expect((await v.call('PUT', `/api/v1/tenants/${SLUG}/widget/theme`, THEME, agent)).status).toBe(403);
    const ok = await put(THEME);
    expect(ok.status).toBe(200);
    expect((await v.call('GET', `/api/v1/tenants/${SLUG}/widget/theme`, undefined, s)).json).toEqual(THEME);
    const tenantId = await v.tenant(SLUG);
    const [ev] = await v.core.db.withTenant(tenantId, (tx) =>
      rows<{ actor_id: string; meta: Record<string, unknown> }>(
        tx,
        sql`select actor_id, meta from audit_events where action = 'widget.theme' order by seq desc limit 1`,
      ),
    );
    expect(ev).toMatchObject({
      actor_id: admin.id,
      meta: { position: 'bottom-left', language: 'auto', logo: false },
    });
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
  });

  it('a visitor chats from the German shop page, by keyboard, after the consent notice', async () => {
    const w = await newPage(browser, { locale: 'en-GB', baseUrl: v.url });
    await w.page.goto(`${v.url}/demo/shop`);
    await w.page.getByRole('heading', { name: 'Frühjahrsangebote' }).waitFor();
    // The page is German: so is the widget, whatever the browser's language.
    const launcher = w.page.getByRole('button', { name: 'Chatten Sie mit uns' });
    await launcher.waitFor();
    expect(await launcher.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(122, 31, 92)');
    const box = (await launcher.boundingBox())!;
    expect(box.x).toBeLessThan(100); // bottom-left
    await launcher.focus();
    await w.page.keyboard.press('Enter');
    expect(await launcher.getAttribute('aria-expanded')).toBe('true');
    const dialog = w.page.getByRole('dialog', { name: 'Acme Kundenservice' });
    await dialog.getByText('Dieser Chat wird gespeichert', { exact: false }).waitFor();
    expect(await dialog.getByRole('link', { name: 'Datenschutzhinweis' }).getAttribute('href')).toBe(
      THEME.privacyUrl,
    );
    const input = dialog.getByRole('textbox', { name: 'Ihre Nachricht' });
    expect(await input.isDisabled()).toBe(true);
    await axe(w.page, 'widget consent');
    await shot(w.page, 'sup-widget-01-consent');
    // Focus is on the acknowledgement; Enter accepts and moves to the message box.
    await w.page.keyboard.press('Enter');
    await expect.poll(() => input.evaluate((i) => i === document.activeElement)).toBe(true);
    await w.page.keyboard.type('Hallo, ist der Rucksack wasserdicht?');
    await w.page.keyboard.press('Enter');
    await dialog.getByRole('log').getByText('Hallo, ist der Rucksack wasserdicht?').waitFor();
    await dialog.getByRole('log').getByText('Sie:').waitFor();
    await axe(w.page, 'widget conversation');
    await shot(w.page, 'sup-widget-02-chat');
    await w.page.keyboard.press('Escape');
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => launcher.evaluate((b) => b === document.activeElement)).toBe(true);
    expect(w.errors).toEqual([]);
    await w.ctx.close();

    const tenantId = await v.tenant(SLUG);
    const got = await v.core.db.withTenant(tenantId, (tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from messages where channel = 'chat' and direction = 'inbound'
            and created_at > now() - interval '5 minutes'`,
      ),
    );
    expect(got[0]!.n).toBeGreaterThanOrEqual(1);
  });

  it('speaks English and French on such pages', async () => {
    for (const [lang, open, notice] of [
      ['en', 'Chat with us', 'This chat is stored'],
      ['fr', 'Discutez avec nous', 'Ce chat est conservé'],
    ] as const) {
      const w = await newPage(browser, { locale: 'de-DE', baseUrl: v.url });
      await w.page.goto(`${v.url}/demo/shop?lang=${lang}`);
      await w.page.getByRole('button', { name: open }).click();
      await w.page.getByRole('dialog').getByText(notice, { exact: false }).waitFor();
      await axe(w.page, `widget ${lang}`);
      expect(w.errors).toEqual([]);
      await w.ctx.close();
    }
  });
});
