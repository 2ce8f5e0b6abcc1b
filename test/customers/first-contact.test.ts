// Concurrent first contacts never duplicate a customer (issue 33): 100 first contacts from 10 new
// senders at the same moment, over real SMTP sockets and through the widget's HTTP API, give 10
// customers. Four simultaneous e-mails of one new sender used to create four customers.
import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgTextArray } from '../../src/ingest/index.ts';
import { rows } from '../../src/platform/db.ts';
import { startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

const SENDERS = 10;
const EACH = 10;

describe(`first contacts under concurrency (${testDbKind})`, () => {
  let v: TestVigil;
  let slug: string;
  let tenantId: string;
  let inbox: string;

  beforeAll(async () => {
    // All 200 widget requests come from one address: the platform's per-address limit is raised.
    v = await startTestVigil({ widgetPerIpPerMinute: 1000 });
    const suffix = Math.random().toString(36).slice(2, 8);
    slug = `first-${suffix}`;
    tenantId = await v.tenant(slug);
    inbox = `hilfe-${suffix}@first-contact.test`;
    await v.core.db.withTenant(tenantId, async (tx) => {
      const [q] = await rows<{ id: string }>(
        tx,
        sql`insert into queues (tenant_id, name) values (${tenantId}, 'eingang') returning id`,
      );
      await tx.execute(
        sql`insert into email_inbound_addresses (tenant_id, address, queue_id) values (${tenantId}, ${inbox}, ${q!.id})`,
      );
      await tx.execute(sql`insert into chat_widget_settings (tenant_id, allowed_origins, queue_id)
        values (${tenantId}, ${pgTextArray(['http://localhost'])}::text[], ${q!.id})`);
    });
  }, 60_000);
  afterAll(() => v?.close());

  const count = async (q: ReturnType<typeof sql>) =>
    (await v.core.db.withTenant(tenantId, (tx) => rows<{ n: number }>(tx, q)))[0]!.n;

  it('100 simultaneous e-mails from 10 new senders make 10 customers (one per sender)', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: v.smtpPort!,
      secure: false,
      ignoreTLS: true,
    });
    const sends = [];
    for (let s = 0; s < SENDERS; s++)
      for (let m = 0; m < EACH; m++)
        sends.push(
          transport.sendMail({
            from: `Neu ${s} <Neu.Kunde${s}@Example.test>`,
            to: inbox,
            subject: `Anfrage ${m}`,
            messageId: `<first-${s}-${m}@mail.example.test>`,
            text: `Guten Tag, Anfrage ${m} von Absender ${s}.`,
          }),
        );
    const results = await Promise.all(sends);
    expect(results.every((r) => r.accepted.length === 1)).toBe(true);
    expect(await count(sql`select count(*)::int as n from conversations where channel = 'email'`)).toBe(
      SENDERS * EACH,
    );
    expect(await count(sql`select count(*)::int as n from customers where source = 'email'`)).toBe(SENDERS);
    // Each customer holds exactly its sender's ten conversations.
    expect(
      await count(sql`select count(*)::int as n from (select customer_id from conversations where channel = 'email'
        group by customer_id having count(*) = ${EACH}) x`),
    ).toBe(SENDERS);
    expect(await count(sql`select count(*)::int as n from customer_contact_keys where kind = 'email'`)).toBe(
      SENDERS,
    );
    transport.close();
  }, 120_000);

  it('100 simultaneous widget first messages from 10 new visitors make 10 customers', async () => {
    // Each visitor's first message arrives ten times at once (retries, several tabs).
    const posts = [];
    for (let s = 0; s < SENDERS; s++)
      for (let m = 0; m < EACH; m++)
        posts.push(
          v
            .call(
              'POST',
              `/api/v1/widget/${slug}/messages`,
              { text: `Hallo, hier Besucher ${s}`, clientMessageId: `visitor-${s}-first` },
              null,
              { origin: 'http://localhost' },
            )
            .then((r) => ({ s, r })),
        );
    const results = await Promise.all(posts);
    expect(results.map(({ r }) => r.status).filter((x) => x !== 201 && x !== 200)).toEqual([]);
    for (let s = 0; s < SENDERS; s++) {
      const mine = results.filter((x) => x.s === s).map((x) => x.r.json.conversationId);
      expect(new Set(mine).size).toBe(1);
    }
    expect(await count(sql`select count(*)::int as n from customers where source = 'chat'`)).toBe(SENDERS);
    expect(await count(sql`select count(*)::int as n from chat_visitors`)).toBe(SENDERS);

    // Then each visitor sends ten messages at once with its token: still ten customers.
    const tokens = new Map(results.map(({ s, r }) => [s, r.json.visitorToken as string]));
    const more = [];
    for (const [s, token] of tokens)
      for (let m = 0; m < EACH; m++)
        more.push(
          v.call(
            'POST',
            `/api/v1/widget/${slug}/messages`,
            { text: `Nachricht ${m}`, clientMessageId: `visitor-${s}-more-${m}`, visitorToken: token },
            null,
            { origin: 'http://localhost' },
          ),
        );
    expect((await Promise.all(more)).map((r) => r.status).filter((x) => x !== 201)).toEqual([]);
    expect(await count(sql`select count(*)::int as n from customers where source = 'chat'`)).toBe(SENDERS);
  }, 120_000);
});
