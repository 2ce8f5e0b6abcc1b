// Files in the consoles, in a real Chromium: an executable sent as "rechnung.pdf" and a text
// file posing as a PDF land in the security officer's quarantine (never in the agent's
// downloads); the officer releases the harmless one with a reason and the agent can then
// download it from the conversation. No scanner is configured here, so the clean-looking PDF
// is held as unscannable (the default) — and says so.
import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import { startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { FAKE_EXE, minimalPdf } from '../helpers/files.ts';
import { axe, ensureWebBuild, launch, newPage, signIn } from './browser.ts';

const SLUG = 'web-quarantine';

describe(`quarantine and conversation files in the console (${testDbKind})`, () => {
  let v: TestVigil;
  let browser: Browser;
  let officer: TestUser;
  let agent: TestUser;
  let conversationId = '';

  beforeAll(async () => {
    await ensureWebBuild();
    v = await startTestVigil();
    const tenantId = await v.tenant(SLUG);
    officer = await v.makeUser([{ role: 'security_officer', tenant: SLUG }]);
    agent = await v.makeUser([{ role: 'agent', tenant: SLUG }]);
    const inbox = 'files@web-quarantine.test';
    await v.core.db.withTenant(tenantId, async (tx) => {
      const [q] = await rows<{ id: string }>(
        tx,
        sql`insert into queues (tenant_id, name) values (${tenantId}, 'mail') returning id`,
      );
      await tx.execute(
        sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenantId}, ${q!.id}, ${agent.id})`,
      );
      await tx.execute(
        sql`insert into email_inbound_addresses (tenant_id, address, queue_id) values (${tenantId}, ${inbox}, ${q!.id})`,
      );
    });
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: v.smtpPort!,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: 'kunde@example.test',
      to: inbox,
      subject: 'Rechnung',
      text: 'Anbei die Rechnung.',
      attachments: [
        { filename: 'rechnung.pdf', content: FAKE_EXE, contentType: 'application/pdf' },
        { filename: 'notiz.pdf', content: Buffer.from('Nur eine Notiz'), contentType: 'application/pdf' },
        { filename: 'echt.pdf', content: minimalPdf(), contentType: 'application/pdf' },
      ],
    });
    const s = await v.login(agent);
    const list = await v.call('GET', `/api/v1/tenants/${SLUG}/conversations?channel=email`, undefined, s);
    conversationId = list.json.items[0].id;
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await v?.close();
  });

  it('the officer sees the findings and releases a false positive; the agent then downloads it', async () => {
    const o = await newPage(browser, { baseUrl: v.url });
    await signIn(o.page, v.url, officer);
    await o.page.getByRole('navigation').getByRole('link', { name: 'Quarantine' }).click();
    await o.page.getByRole('heading', { name: 'File quarantine', level: 1 }).waitFor();
    await o.page.getByText('Vigil.Content.Executable').waitFor();
    await o.page.getByText('Vigil.Content.TypeMismatch').waitFor();
    await axe(o.page, 'quarantine');
    const row = o.page.getByRole('row').filter({ hasText: 'Vigil.Content.TypeMismatch' });
    await row.getByRole('button', { name: 'Release' }).click();
    const dialog = o.page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('Customer confirmed: a plain text note');
    await dialog.getByRole('button', { name: 'Release' }).click();
    await o.page.getByText('File released to agents').waitFor();
    await o.page.getByText('Vigil.Content.TypeMismatch').waitFor({ state: 'detached' });

    const a = await newPage(browser, { baseUrl: v.url });
    await signIn(a.page, v.url, agent);
    await a.page.goto(`${v.url}/app/t/${SLUG}/inbox/${conversationId}`);
    const files = a.page.getByTestId('files');
    await files.waitFor();
    await expect.poll(() => files.getByRole('listitem').count(), { timeout: 15_000 }).toBe(3);
    // One released (downloadable), one quarantined, one held without a scanner.
    await files.getByText('Quarantined').waitFor();
    await files.getByText('Not scannable (held)').waitFor();
    const link = files.getByRole('link', { name: 'Download' });
    expect(await link.count()).toBe(1);
    const [download] = await Promise.all([a.page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('file.txt');
    await axe(a.page, 'conversation with files');
  });
});
