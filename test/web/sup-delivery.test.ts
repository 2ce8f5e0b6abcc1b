// E-mail delivery state (issue 25) from a real relay's SMTP replies: a reply the relay accepts is
// "sent", a 451 defers it (and the retry sends it), a 550 bounces it at once without retries; the
// agent sees each state on the message in the conversation. Without a relay an e-mail reply is
// refused with 409 mail_relay_missing and nothing is stored as if it went out.
import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/ingest/index.ts';
import { rows } from '../../src/platform/db.ts';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';
import { axe, ensureWebBuild, launch, newPage, signIn } from './browser.ts';

const SLUG = 'web-sup-mail';
const INBOX = 'hilfe@sup-mail.test';

describe(`e-mail delivery state (${testDbKind})`, () => {
  let v: TestVigil;
  let sink: SmtpSink;
  let browser: Browser;
  let agent: TestUser;
  let s: Session;
  let conversationId: string;

  beforeAll(async () => {
    await ensureWebBuild();
    sink = await startSmtpSink();
    v = await startTestVigil({ smtpRelayUrl: sink.url, smtpRetryBaseSeconds: 1 });
    const tenantId = await v.tenant(SLUG);
    agent = await v.makeUser([{ role: 'agent', tenant: SLUG }]);
    await v.core.db.withTenant(tenantId, async (tx) => {
      const [q] = await rows<{ id: string }>(
        tx,
        sql`insert into queues (tenant_id, name) values (${tenantId}, 'mail') returning id`,
      );
      await tx.execute(
        sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenantId}, ${q!.id}, ${agent.id})`,
      );
      await tx.execute(
        sql`insert into email_inbound_addresses (tenant_id, address, queue_id) values (${tenantId}, ${INBOX}, ${q!.id})`,
      );
    });
    const mta = nodemailer.createTransport({
      host: '127.0.0.1',
      port: v.smtpPort!,
      secure: false,
      ignoreTLS: true,
    });
    await mta.sendMail({
      from: 'kunde@example.test',
      to: INBOX,
      subject: 'Lieferung',
      text: 'Wo bleibt mein Paket?',
    });
    s = await v.login(agent);
    // The mail is a conversation once the SMTP channel committed it.
    for (let i = 0; i < 100 && !conversationId; i++) {
      const r = await v.call('GET', `/api/v1/tenants/${SLUG}/conversations?channel=email`, undefined, s);
      conversationId = r.json.items?.[0]?.id ?? '';
      if (!conversationId) await new Promise((res) => setTimeout(res, 100));
    }
    expect(conversationId).not.toBe('');
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await v?.close();
    await sink?.close();
  });

  const reply = (text: string) =>
    v.call('POST', `/api/v1/tenants/${SLUG}/conversations/${conversationId}/messages`, { text }, s);
  const stateOf = async (messageId: string) => {
    const e = await v.call(
      'GET',
      `/api/v1/tenants/${SLUG}/conversations/${conversationId}/email`,
      undefined,
      s,
    );
    return e.json.messages.find((m: { messageId: string }) => m.messageId === messageId);
  };

  it('sent, deferred then sent on retry, bounced at once; shown on each message', async () => {
    const ok = await reply('Ist unterwegs.');
    expect(ok.json.deliveryState).toBe('sent');
    await sink.next((m) => m.text?.includes('Ist unterwegs.') ?? false);

    sink.reply = 451;
    const later = await reply('Zweiter Versuch.');
    expect(later.json.deliveryState).toBe('deferred');
    expect((await stateOf(later.json.messageId)).deliveryError).toBe('smtp_451');
    sink.reply = null;
    await sink.next((m) => m.text?.includes('Zweiter Versuch.') ?? false);
    await expect.poll(async () => (await stateOf(later.json.messageId)).deliveryState).toBe('sent');

    sink.reply = 550;
    const gone = await reply('Geht nicht zu.');
    sink.reply = null;
    expect(gone.json.deliveryState).toBe('bounced');
    const b = await stateOf(gone.json.messageId);
    expect(b).toMatchObject({ deliveryState: 'bounced', deliveryError: 'smtp_550', nextAttemptAt: null });

    const w = await newPage(browser, { baseUrl: v.url });
    await signIn(w.page, v.url, agent);
    await w.page.goto(`${v.url}/app/t/${SLUG}/inbox/${conversationId}`);
    const states = w.page.getByTestId('timeline').getByTestId('delivery-state');
    await expect
      .poll(() => states.allTextContents())
      .toEqual(['Sent to the relay', 'Sent to the relay', 'Bounced']);
    await axe(w.page, 'delivery states');
    expect(w.errors).toEqual([]);
    await w.ctx.close();
  });

  it('without a relay an e-mail reply is refused with 409 and nothing is stored', async () => {
    const bare = await startTestVigil();
    try {
      const tenantId = await bare.tenant(SLUG);
      const u = await bare.makeUser([{ role: 'agent', tenant: SLUG }]);
      const ctx = systemContext({ id: tenantId, slug: SLUG, name: SLUG });
      const queueId = await bare.core.db.withTenant(tenantId, async (tx) => {
        const [q] = await rows<{ id: string }>(
          tx,
          sql`insert into queues (tenant_id, name) values (${tenantId}, 'mail') returning id`,
        );
        await tx.execute(
          sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenantId}, ${q!.id}, ${u.id})`,
        );
        return q!.id;
      });
      const customer = await bare.app.contact!.customers.create(ctx, {
        name: 'K',
        emails: ['k@example.test'],
      });
      const r = await bare.app.contact!.ingest.ingestMessage(ctx, {
        channel: 'email',
        direction: 'inbound',
        author: { type: 'customer', id: null },
        text: 'Hallo',
        idempotencyKey: 'bare-1',
        newConversation: { channel: 'email', customer: { id: customer.id }, queueId },
      });
      const session = await bare.login(u);
      const assigned = await bare.call(
        'POST',
        `/api/v1/tenants/${SLUG}/conversations/${r.conversationId}/assign`,
        { userId: u.id },
        session,
      );
      expect(assigned.status).toBe(200);
      const refused = await bare.call(
        'POST',
        `/api/v1/tenants/${SLUG}/conversations/${r.conversationId}/messages`,
        { text: 'Antwort' },
        session,
      );
      expect(refused.status).toBe(409);
      expect(refused.json.error.code).toBe('mail_relay_missing');
      const n = await bare.core.db.withTenant(tenantId, (tx) =>
        rows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from messages where conversation_id = ${r.conversationId} and direction = 'outbound'`,
        ),
      );
      expect(n[0]!.n).toBe(0);
    } finally {
      await bare.close();
    }
  });
});
