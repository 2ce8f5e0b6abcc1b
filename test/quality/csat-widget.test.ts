// The widget's satisfaction prompt in a real Chromium: a shop page on another origin embeds the
// widget; the visitor chats, the agent resolves the conversation, the widget shows the question
// with five buttons, and a click records the score through the signed token (no login).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgTextArray } from '../../src/ingest/index.ts';
import { rows } from '../../src/platform/db.ts';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';
import { launch } from '../web/browser.ts';

const SLUG = 'csat-widget';

describe(`the widget asks for satisfaction (${testDbKind})`, () => {
  let v: TestVigil;
  let browser: Browser;
  let host: Server;
  let hostUrl: string;
  let tenantId: string;
  let agent: Session;

  beforeAll(async () => {
    v = await startTestVigil();
    tenantId = await v.tenant(SLUG);
    host = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        `<!doctype html><html lang="fr"><head><title>Boutique</title></head><body><h1>Boutique</h1><script src="${v.url}/widget/${SLUG}.js" async></script></body></html>`,
      );
    });
    await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
    hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    await v.core.db.withTenant(tenantId, (tx) =>
      tx.execute(sql`insert into chat_widget_settings (tenant_id, allowed_origins)
        values (${tenantId}, ${pgTextArray([hostUrl])}::text[])`),
    );
    agent = await v.login(await v.makeUser([{ role: 'supervisor', tenant: SLUG }]));
    browser = await launch();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => host?.close(r));
    await v?.close();
  });

  it('shows the question after resolution and records the clicked score once', async () => {
    const ctx = await browser.newContext({ locale: 'fr-FR' });
    const page = await ctx.newPage();
    await page.goto(hostUrl);
    // The page is French, so is the widget; its consent notice is acknowledged first.
    await page.getByRole('button', { name: 'Discutez avec nous' }).click();
    await page.getByRole('button', { name: 'OK, commencer' }).click();
    await page.getByLabel('Votre message').fill('Bonjour, je ne peux pas me connecter à mon compte. Merci');
    const hello = new Promise<void>((done) =>
      page.on('websocket', (ws) =>
        ws.on('framereceived', (f) => {
          if (String(f.payload).includes('hello')) done();
        }),
      ),
    );
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await page.getByRole('log').getByText('Vous:').waitFor();
    const [c] = await v.core.db.withTenant(tenantId, (tx) =>
      rows<{ id: string }>(tx, sql`select id from conversations order by created_at desc limit 1`),
    );
    // The widget opens its socket after the first answer; the server's hello means it is registered.
    await hello;
    const r = await v.call(
      'PATCH',
      `/api/v1/tenants/${SLUG}/conversations/${c!.id}`,
      { status: 'resolved' },
      agent,
    );
    expect(r.status).toBe(200);
    const group = page.getByRole('group', { name: /satisfait/ });
    await group.waitFor();
    await group.getByRole('button', { name: '4' }).click();
    await page.getByRole('log').getByText('Merci pour votre évaluation.').waitFor();
    const score = await waitFor('the stored score', async () => {
      const [s] = await v.core.db.withTenant(tenantId, (tx) =>
        rows<{ score: number | null }>(
          tx,
          sql`select score from csat_surveys where conversation_id = ${c!.id}`,
        ),
      );
      return s?.score ?? undefined;
    });
    expect(score).toBe(4);
    await ctx.close();
  });
});
