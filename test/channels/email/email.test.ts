// The e-mail channel over real sockets: nodemailer → Vigil's SMTP server → pipeline → agent API
// → reply through the relay → a test SMTP sink. Card numbers never reach the database; unknown
// recipients, oversized and broken mail never crash the server; replays never duplicate.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { type ParsedMail, simpleParser } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../../src/platform/db.ts';
import { databaseBytes, type World } from '../../conversations/fixture.ts';
import { type Session, startTestVigil, type TestVigil } from '../../helpers/app.ts';
import { testDbKind } from '../../helpers/db.ts';

interface Sink {
  port: number;
  received: ParsedMail[];
  refuse: boolean;
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const sink = { received: [] as ParsedMail[], refuse: false } as Sink;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(_a, _s, cb) {
      if (sink.refuse) return cb(Object.assign(new Error('try later'), { responseCode: 451 }));
      cb();
    },
    onData(stream, _s, cb) {
      simpleParser(stream).then(
        (m) => {
          sink.received.push(m);
          cb();
        },
        (e) => cb(e),
      );
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.close = () => new Promise<void>((r) => server.close(() => r()));
  return sink;
}

const waitFor = async <T>(fn: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe(`e-mail channel (${testDbKind})`, () => {
  let v: TestVigil;
  let sink: Sink;
  let slugA: string;
  let slugB: string;
  let agentA: Session;
  let agentB: Session;
  let inboxA: string;
  let send: (m: SendMailOptions) => Promise<{ accepted: unknown[]; messageId: string }>;
  const card = '4111 1111 1111 1111';
  const marker = `MARKER${Date.now()}WOMBAT`;
  const customer = `kunde.${Date.now()}@example.test`;
  let conversationId = '';
  const firstId = `<first.${Date.now()}@mail.example.test>`;

  beforeAll(async () => {
    sink = await startSink();
    v = await startTestVigil({ smtpRelayUrl: `smtp://127.0.0.1:${sink.port}`, smtpRetryBaseSeconds: 1 });
    const suffix = randomBytes(3).toString('hex');
    slugA = `mail-a-${suffix}`;
    slugB = `mail-b-${suffix}`;
    const a = await v.tenant(slugA);
    const b = await v.tenant(slugB);
    const userA = await v.makeUser([{ role: 'agent', tenant: slugA }]);
    const userB = await v.makeUser([{ role: 'agent', tenant: slugB }]);
    inboxA = `support-${suffix}@acme-mail.test`;
    const addr = async (tenantId: string, user: string, address: string) =>
      v.core.db.withTenant(tenantId, async (tx) => {
        const [q] = await rows<{ id: string }>(
          tx,
          sql`insert into queues (tenant_id, name) values (${tenantId}, 'mail') returning id`,
        );
        await tx.execute(
          sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenantId}, ${q!.id}, ${user})`,
        );
        await tx.execute(
          sql`insert into email_inbound_addresses (tenant_id, address, queue_id) values (${tenantId}, ${address}, ${q!.id})`,
        );
      });
    await addr(a, userA.id, inboxA);
    await addr(b, userB.id, `service-${suffix}@globex-mail.test`);
    agentA = await v.login(userA);
    agentB = await v.login(userB);
    expect(v.smtpPort).toBeGreaterThan(0);
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: v.smtpPort!,
      secure: false,
      ignoreTLS: true,
      tls: { rejectUnauthorized: false },
    });
    send = (m) => transport.sendMail(m) as Promise<{ accepted: unknown[]; messageId: string }>;
  });
  afterAll(async () => {
    await v?.close();
    await sink?.close();
  });

  const conv = (id: string, s: Session = agentA) =>
    v.call('GET', `/api/v1/tenants/${slugA}/conversations/${id}`, undefined, s);
  const emailView = (id: string, s: Session = agentA) =>
    v.call('GET', `/api/v1/tenants/${slugA}/conversations/${id}/email`, undefined, s);

  it('a mail becomes a redacted conversation with sanitized HTML; the reply is threaded', async () => {
    const info = await send({
      from: `Kim Kunde <${customer}>`,
      to: inboxA,
      subject: `Karte ${card} gesperrt`,
      messageId: firstId,
      text: `Hallo ${marker}, meine Karte ${card} geht nicht.`,
      html: `<p>Hallo ${marker}, meine Karte ${card} geht nicht.</p><script>alert(1)</script>
        <img src="https://tracker.example/p.gif"><img src="x" onerror="alert(2)"><a href="javascript:alert(3)">x</a>
        <iframe src="https://evil.example"></iframe><style>body{}</style>`,
      attachments: [
        { filename: 'rechnung.pdf', content: Buffer.from('%PDF-1.4 test'), contentType: 'application/pdf' },
        { filename: 'tool.exe', content: Buffer.from('MZ....'), contentType: 'application/x-msdownload' },
      ],
    });
    expect(info.accepted).toHaveLength(1);

    const list = await v.call(
      'GET',
      `/api/v1/tenants/${slugA}/conversations?channel=email`,
      undefined,
      agentA,
    );
    expect(list.status).toBe(200);
    expect(list.json.items).toHaveLength(1);
    conversationId = list.json.items[0].id;

    const open = await conv(conversationId);
    expect(open.status).toBe(200);
    expect(open.json.subject).toContain('[PAYMENT_CARD');
    expect(open.json.messages[0].text).toContain('[PAYMENT_CARD');
    expect(open.json.messages[0].text).toContain(marker);
    expect(open.text).not.toMatch(/4111 ?1111/);

    const mail = await emailView(conversationId);
    expect(mail.status).toBe(200);
    const html = mail.json.messages[0].html as string;
    expect(html).toBeTruthy();
    expect(html).not.toMatch(/<script|onerror=|javascript:|<iframe|<style|tracker\.example/i);
    expect(html).not.toMatch(/4111 ?1111/);
    expect(mail.json.messages[0].attachments).toEqual([
      expect.objectContaining({ contentType: 'application/pdf' }),
    ]);
    expect(mail.json.messages[0].dropped).toEqual([
      expect.objectContaining({ reason: 'type', contentType: 'application/x-msdownload' }),
    ]);

    const reply = await v.call(
      'POST',
      `/api/v1/tenants/${slugA}/conversations/${conversationId}/messages`,
      { text: 'Wir kümmern uns darum.' },
      agentA,
    );
    expect(reply.status).toBeLessThan(300);
    expect(reply.json.deliveryState).toBe('sent');
    const out = await waitFor(() => sink.received.find((m) => m.text?.includes('Wir kümmern uns')));
    expect(out.inReplyTo).toBe(firstId);
    expect([out.references].flat()).toContain(firstId);
    expect(out.to && !Array.isArray(out.to) ? out.to.value[0]?.address : null).toBe(customer);
    expect(out.from?.value[0]?.address).toBe(inboxA);
    expect(out.subject).toMatch(/^Re: /);
    expect(out.subject).not.toMatch(/4111/);

    // The customer answers our reply: same conversation, by In-Reply-To.
    await send({
      from: customer,
      to: inboxA,
      subject: 'Re: whatever',
      text: 'Danke!',
      inReplyTo: out.messageId!,
      references: [firstId, out.messageId!],
    });
    const again = await conv(conversationId);
    expect(again.json.messages.map((m: { text: string }) => m.text)).toContain('Danke!');
    const list2 = await v.call(
      'GET',
      `/api/v1/tenants/${slugA}/conversations?channel=email`,
      undefined,
      agentA,
    );
    expect(list2.json.items).toHaveLength(1);
  });

  it('a replay of the same Message-ID stores nothing new', async () => {
    const before = (await conv(conversationId)).json.messages.length;
    const info = await send({
      from: customer,
      to: inboxA,
      subject: 'x',
      messageId: firstId,
      text: 'replayed body',
    });
    expect(info.accepted).toHaveLength(1);
    const after = await conv(conversationId);
    expect(after.json.messages.length).toBe(before);
    expect(after.text).not.toContain('replayed body');
  });

  it('unknown recipients are refused at RCPT, oversized mail with 552', async () => {
    const unknown = await send({ from: customer, to: 'nobody@nowhere.test', subject: 's', text: 't' }).catch(
      (e: { responseCode?: number; rejectedErrors?: Array<{ responseCode?: number }> }) => e,
    );
    const code = (unknown as { rejectedErrors?: Array<{ responseCode?: number }>; responseCode?: number })
      .rejectedErrors?.[0]?.responseCode;
    expect(code ?? (unknown as { responseCode?: number }).responseCode).toBe(550);

    const big = await send({
      from: customer,
      to: inboxA,
      subject: 'big',
      text: 'x'.repeat(11 * 1024 * 1024),
    }).catch((e: { responseCode?: number }) => e);
    expect((big as { responseCode?: number }).responseCode).toBe(552);
  }, 60_000);

  it('malformed MIME and invalid UTF-8 never crash the server', async () => {
    const raw = Buffer.concat([
      Buffer.from(
        `From: ${customer}\r\nTo: ${inboxA}\r\nSubject: =?utf-8?B?////?=\r\nMessage-ID: <broken.${Date.now()}@x.test>\r\n` +
          'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="never-closed"\r\n\r\n--never-closed\r\n' +
          'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!notbase64\r\n' +
          '--never-closed\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nkaputt ',
      ),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x0d, 0x0a]),
    ]);
    const r = await send({ envelope: { from: customer, to: [inboxA] }, raw }).catch(
      (e: { responseCode?: number }) => e,
    );
    if ('responseCode' in (r as object))
      expect((r as { responseCode: number }).responseCode).toBeGreaterThanOrEqual(500);
    // Still serving, and whatever was stored is readable.
    const ok = await send({ from: customer, to: inboxA, subject: 'still there?', text: 'ja' });
    expect(ok.accepted).toHaveLength(1);
    const list = await v.call(
      'GET',
      `/api/v1/tenants/${slugA}/conversations?channel=email`,
      undefined,
      agentA,
    );
    for (const c of list.json.items) {
      expect((await conv(c.id)).status).toBe(200);
      const e = await emailView(c.id);
      expect(e.status).toBe(200);
      expect(e.text).not.toMatch(/<script|onerror=|javascript:/i);
    }
  });

  it('HTML kept as sent (no PII found) is still stripped of active content and remote images', async () => {
    await send({
      from: customer,
      to: inboxA,
      subject: 'Formatierung',
      messageId: `<clean.${Date.now()}@mail.example.test>`,
      text: 'Nur Text.',
      html: `<p><b>Nur</b> Text.</p><script>alert(1)</script><img src="https://tracker.example/p.gif">
        <img src="cid:logo" onerror="alert(2)"><a href="javascript:alert(3)" onclick="x()">x</a><iframe></iframe>`,
    });
    const list = await v.call(
      'GET',
      `/api/v1/tenants/${slugA}/conversations?channel=email`,
      undefined,
      agentA,
    );
    let html = '';
    for (const c of list.json.items) {
      const e = await emailView(c.id);
      for (const m of e.json.messages) if (m.html?.includes('<b>Nur</b>')) html = m.html;
    }
    expect(html).toContain('<b>Nur</b>');
    expect(html).toContain('src="cid:logo"');
    expect(html).not.toMatch(/<script|onerror=|onclick=|javascript:|<iframe|tracker\.example/i);
  });

  it("another tenant's agent cannot see the mail conversation", async () => {
    const r = await v.call(
      'GET',
      `/api/v1/tenants/${slugB}/conversations/${conversationId}`,
      undefined,
      agentB,
    );
    expect(r.status).toBe(404);
    const e = await v.call(
      'GET',
      `/api/v1/tenants/${slugB}/conversations/${conversationId}/email`,
      undefined,
      agentB,
    );
    expect(e.status).toBe(404);
  });

  it('a relay failure shows as failed with an error code, and a retry delivers it', async () => {
    sink.refuse = true;
    const reply = await v.call(
      'POST',
      `/api/v1/tenants/${slugA}/conversations/${conversationId}/messages`,
      { text: 'Zweiter Versuch folgt.' },
      agentA,
    );
    expect(reply.json.deliveryState).toBe('deferred');
    const view = await emailView(conversationId);
    const m = view.json.messages.find((x: { messageId: string }) => x.messageId === reply.json.messageId);
    expect(m.deliveryState).toBe('deferred');
    expect(m.deliveryError).toBe('smtp_451');
    expect(m.nextAttemptAt).toBeTruthy();
    sink.refuse = false;
    await waitFor(() => sink.received.find((x) => x.text?.includes('Zweiter Versuch')));
    const done = await waitFor(async () => {
      const e = await emailView(conversationId);
      const x = e.json.messages.find((y: { messageId: string }) => y.messageId === reply.json.messageId);
      return x.deliveryState === 'sent' ? x : undefined;
    });
    expect(done.deliveryError).toBeNull();
  });

  it('the database holds neither the card number nor the marker', async () => {
    const bytes = await databaseBytes({ v } as unknown as World);
    expect(bytes.includes(Buffer.from(marker))).toBe(false);
    expect(bytes.includes(Buffer.from(card))).toBe(false);
    expect(bytes.includes(Buffer.from(card.replace(/ /g, '')))).toBe(false);
    expect(bytes.includes(Buffer.from(customer))).toBe(false);
  });
});
