// The console in French (issue 29, done-when): a real Chromium signs in, switches to French and
// visits every page of the agent's, the supervisor's and the DPO's menu, a conversation with the
// translation panel and a quality review. No visible text, label or title may be an English (or
// German) console string that French translates differently, a raw i18n key, or a raw code; no
// English function words outside customer data. The translation panel itself works in French:
// the customer's German message is shown translated (the DeepL-protocol stand-in receives
// placeholders only) and a French reply goes out in German. axe stays at zero violations.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/ingest/index.ts';
import { rows } from '../../src/platform/db.ts';
import { nextFreshTotp, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { type StandIn, startDeepl } from '../translation/stand-ins.ts';
import { axe, ensureWebBuild, launch, newPage, repo, shot, signIn } from './browser.ts';

const SLUG = 'web-french';
const dict = (l: string) =>
  JSON.parse(readFileSync(join(repo, 'web', 'src', 'i18n', `${l}.json`), 'utf8')) as Record<string, string>;
const en = dict('en');
const de = dict('de');
const fr = dict('fr');
const frValues = new Set(Object.values(fr));
/** Console strings French renders differently: seeing one on a French page means a fallback. */
const foreign = new Map<string, string>();
for (const [k, v] of [...Object.entries(en), ...Object.entries(de)])
  if (v !== fr[k] && !frValues.has(v) && /\p{L}{3}/u.test(v)) foreign.set(v.trim(), k);
/** The same with placeholders, as patterns ("{count} conversations" matches "3 conversations"). */
const foreignPatterns = [...foreign]
  .filter(([v]) => /\{\w+\}/.test(v))
  .map(([v, k]) => ({
    k,
    re: new RegExp(`^${v.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '.+?')}$`, 'u'),
  }));
const keys = new Set(Object.keys(en));
const RAW_CODE = /\b[A-Z]{2,}_[A-Z_]+\b|\b[a-z]+_[a-z]+(_[a-z]+)*\b/;
const ENGLISH_WORDS = /\b(the|and|your|this|with|from|please|which|there|been)\b/i;

/** Visible text nodes and labels of the page, outside customer data (timeline, code, inputs). */
async function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const skip = (el: Element | null) =>
      !!el?.closest(
        '[data-testid=timeline], [data-testid=quality-messages], [data-testid=translations], code, time, textarea, option[data-data]',
      );
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent?.trim();
      if (!text || !el || skip(el) || !el.checkVisibility()) continue;
      out.push(text);
    }
    for (const el of Array.from(document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')))
      for (const a of ['aria-label', 'placeholder', 'title', 'alt']) {
        const v = el.getAttribute(a)?.trim();
        // A tooltip holding the technical identifier next to its words (audit actions) is meant.
        if (v && !skip(el) && !(a === 'title' && /^[a-z_]+(\.[a-z_]+)+$/.test(v))) out.push(v);
      }
    out.push(document.title);
    return out;
  });
}

function untranslated(texts: string[]): string[] {
  const bad: string[] = [];
  for (const t of texts) {
    if (foreign.has(t)) bad.push(`fallback ${foreign.get(t)}: ${t}`);
    else if (keys.has(t)) bad.push(`raw key: ${t}`);
    else if (RAW_CODE.test(t)) bad.push(`raw code: ${t}`);
    else if (ENGLISH_WORDS.test(t) && !frValues.has(t)) bad.push(`English: ${t}`);
    else {
      const p = foreignPatterns.find((x) => x.re.test(t));
      if (p) bad.push(`fallback ${p.k}: ${t}`);
    }
  }
  return bad;
}

describe(`the console in French (${testDbKind})`, () => {
  let v: TestVigil;
  let browser: Browser;
  let deepl: StandIn;
  let tenantId: string;
  let user: TestUser;
  let conversationId: string;
  const NAME = 'Erika Mustermann';
  const EMAIL = 'erika.mustermann@example.org';

  beforeAll(async () => {
    await ensureWebBuild();
    deepl = await startDeepl('vigil-test-key');
    v = await startTestVigil({
      translationProvider: 'deepl',
      translationUrl: deepl.url,
      translationApiKey: 'vigil-test-key',
    });
    tenantId = await v.tenant(SLUG);
    user = await v.makeUser([
      { role: 'agent', tenant: SLUG },
      { role: 'supervisor', tenant: SLUG },
      { role: 'dpo', tenant: SLUG },
    ]);
    const queueId = await v.core.db.withTenant(tenantId, async (tx) => {
      const [q] = await rows<{ id: string }>(
        tx,
        sql`insert into queues (tenant_id, name) values (${tenantId}, 'Guichet') returning id`,
      );
      await tx.execute(
        sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenantId}, ${q!.id}, ${user.id})`,
      );
      return q!.id;
    });
    const r = await v.app.contact!.ingest.ingestMessage(
      systemContext({ id: tenantId, slug: SLUG, name: SLUG }),
      {
        channel: 'chat',
        direction: 'inbound',
        author: { type: 'customer', id: null },
        text: `Guten Tag, ich heiße ${NAME}. Meine E-Mail ist ${EMAIL}, bitte rufen Sie mich an. Danke`,
        idempotencyKey: `${SLUG}:1`,
        newConversation: { channel: 'chat', customer: { name: NAME }, queueId },
      },
    );
    conversationId = r.conversationId;
    const s = await v.login(user);
    const assigned = await v.call(
      'POST',
      `/api/v1/tenants/${SLUG}/conversations/${conversationId}/assign`,
      { userId: user.id },
      s,
    );
    expect(assigned.status).toBe(200);
    const card = await v.call(
      'POST',
      `/api/v1/tenants/${SLUG}/quality/scorecards`,
      { name: 'Grille', criteria: [{ key: 'accueil', label: 'Accueil', weight: 1, autoFail: false }] },
      s,
    );
    expect(card.status).toBe(200);
    const sampled = await v.call(
      'POST',
      `/api/v1/tenants/${SLUG}/quality/samples`,
      { scorecardId: card.json.id, size: 1 },
      s,
    );
    expect(sampled.json.reviews).toHaveLength(1);
    browser = await launch();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await v?.close();
    await deepl?.close();
  });

  it('signs in, switches to French and finds no untranslated string on the agent, supervisor and DPO pages', async () => {
    const w = await newPage(browser, { locale: 'en-GB', baseUrl: v.url });
    const { page } = w;
    await signIn(page, v.url, user);
    await page.getByTestId('language').selectOption('fr');
    await page.locator('#main h1').filter({ hasText: fr['dashboard.title']! }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
    const links = await page
      .getByRole('navigation')
      .locator('a[href^="/app"]')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    const base = `/app/t/${SLUG}`;
    for (const must of [
      'inbox',
      'supervisor',
      'quality',
      'dpo/requests',
      'compliance',
      'governance',
      'audit',
    ])
      expect(links).toContain(`${base}/${must}`);
    const pages = [...links, `${base}/inbox/${conversationId}`];
    const found: Record<string, string[]> = {};
    for (const p of pages) {
      await page.goto(`${v.url}${p}`);
      await page.locator('#main h1').first().waitFor();
      await page.locator('.spinner').first().waitFor({ state: 'detached' });
      const bad = untranslated(await visibleTexts(page));
      if (bad.length) found[p] = bad;
      await axe(page, `fr ${p}`);
    }
    // A quality review opened (pseudonymised view and the scoring form).
    await page.goto(`${v.url}${base}/quality`);
    await shot(page, 'french-00-quality-list');
    await page.getByRole('button', { name: fr['quality.open'] }).first().click();
    await page.getByTestId('quality-messages').waitFor();
    const q = untranslated(await visibleTexts(page));
    if (q.length) found['quality review'] = q;
    await shot(page, 'french-01-quality');
    expect(found).toEqual({});
    expect(w.errors).toEqual([]);
    await w.ctx.close();
  });

  it('the translation panel in French: the German message translated without personal data, a French reply sent', async () => {
    const w = await newPage(browser, { locale: 'fr-FR', baseUrl: v.url });
    const { page } = w;
    // A French browser: the sign-in page is French, and so is the account (from the test before).
    await page.goto(`${v.url}/`);
    await page.locator('input[type=email]').fill(user.email);
    await page.locator('input[type=password]').fill(user.password);
    await page.locator('form button[type=submit]').click();
    await page.locator('input[autocomplete=one-time-code]').fill(await nextFreshTotp(user.totpSecret));
    await page.locator('form button[type=submit]').click();
    await page.locator('#main h1').filter({ hasText: fr['dashboard.title']! }).waitFor();
    await page.goto(`${v.url}/app/t/${SLUG}/inbox/${conversationId}`);
    await page.getByTestId('timeline').waitFor();
    await shot(page, 'french-02-conversation');
    const before = deepl.received.length;
    await page.getByLabel(fr['translate.toggle']!.replace('{language}', fr['lang.fr']!)).check();
    const translated = page.getByTestId('translations').locator('li').first();
    await translated.getByText(fr['translate.from']!.replace('{language}', fr['lang.de']!)).waitFor();
    const sent = deepl.received.slice(before).join('\n');
    expect(sent).not.toContain('Mustermann');
    expect(sent).not.toContain(EMAIL);
    expect(untranslated(await visibleTexts(page))).toEqual([]);
    await axe(page, 'fr translate panel');
    await shot(page, 'french-02-translate');
    const reply = page.getByLabel(fr['translate.replyLabel']!.replace('{language}', fr['lang.de']!));
    await reply.fill('Merci, nous vous rappelons.');
    await page.getByRole('button', { name: fr['translate.send'] }).click();
    await page.getByText(fr['translate.sent']!).waitFor();
    await expect
      .poll(async () => {
        const r = await v.core.db.withTenant(tenantId, (tx) =>
          rows<{ n: number }>(
            tx,
            sql`select count(*)::int as n from audit_events where action = 'conversation.reply_translated' and resource_id = ${conversationId}`,
          ),
        );
        return r[0]!.n;
      })
      .toBe(1);
    expect(w.errors).toEqual([]);
    await w.ctx.close();
  });
});
