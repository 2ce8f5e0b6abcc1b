// Customer satisfaction end to end on real sockets: a resolved widget chat prompts the visitor on
// its WebSocket, a resolved e-mail conversation mails a link through the relay (real SMTP both
// ways). The rating comes back with the signed single-use token and no login; a second answer,
// a forged and an expired token are refused. Only the score is stored; sampling "by low
// satisfaction" picks the conversation rated 1 and not the one rated 5.
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { type ParsedMail, simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import { loadOrCreateSecretFile } from '../../src/platform/secret-file.ts';
import { signSurveyToken } from '../../src/quality/csat-token.ts';
import {
  auditCount,
  ORIGIN,
  openWs,
  slugs,
  startWorld,
  type World,
  wsUrl,
} from '../conversations/fixture.ts';
import { testDbKind } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';

const FR = 'Bonjour, je ne peux pas me connecter à mon compte. Merci de votre aide.';
const DE = 'Hallo, meine Rechnung ist falsch. Bitte prüfen Sie das, danke.';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe(`customer satisfaction (${testDbKind})`, () => {
  let w: World;
  let A: string;
  let sink: { received: ParsedMail[]; close(): Promise<void> };
  let chatConversation: string;
  let mailConversation: string;
  let chatToken: string;
  const patch = (id: string, body: unknown) =>
    w.v.call('PATCH', `/api/v1/tenants/${A}/conversations/${id}`, body, w.s.supA);
  const post = (path: string, body: string) =>
    fetch(`${w.v.url}${path}`, { method: 'POST', headers: FORM, body });

  beforeAll(async () => {
    const received: ParsedMail[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onData(stream, _s, cb) {
        simpleParser(stream).then((m) => {
          received.push(m);
          cb();
        }, cb);
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    sink = { received, close: () => new Promise<void>((r) => server.close(() => r())) };
    w = await startWorld({
      smtpRelayUrl: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    });
    A = slugs(w).slugA;
  }, 120_000);
  afterAll(async () => {
    await w?.v.close();
    await sink?.close();
  });

  it('a resolved chat asks the visitor on its socket, in the conversation language', async () => {
    const first = await w.v.call(
      'POST',
      `/api/v1/widget/${A}/messages`,
      { text: FR, clientMessageId: 'cm-csat-0000001' },
      null,
      ORIGIN,
    );
    chatConversation = first.json.conversationId;
    const visitor = await openWs(
      wsUrl(w, `/api/v1/widget/${A}/ws?token=${encodeURIComponent(first.json.visitorToken)}`),
      ORIGIN,
    );
    expect((await patch(chatConversation, { status: 'resolved' })).status).toBe(200);
    const prompt = await visitor.next((m) => m.type === 'csat');
    visitor.ws.close();
    expect(prompt.conversationId).toBe(chatConversation);
    expect(prompt.question).toMatch(/satisfait/);
    chatToken = prompt.token as string;
    // Another change of the resolved conversation asks nobody twice.
    await patch(chatConversation, { tags: ['billing'] });
    expect(await auditCount(w, w.a, 'csat.request', chatConversation)).toBe(1);
  });

  it('the rating is taken once with the token alone; forged and expired tokens are refused', async () => {
    const ok = await post(`/csat/${chatToken}`, 'score=1');
    expect(ok.status).toBe(200);
    const html = await ok.text();
    expect(html).toContain('lang="fr"');
    expect(html).toContain('Merci pour votre évaluation.');
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'none'");
    const again = await post(`/csat/${chatToken}`, 'score=5');
    expect(again.status).toBe(409);
    const api = await w.v.call('POST', '/api/v1/csat', { token: chatToken, score: 5 }, null);
    expect(api.status).toBe(409);
    expect(api.json.error.code).toBe('csat_answered');
    const forged = `${chatToken.slice(0, 48)}.${'A'.repeat(24)}`;
    expect((await post(`/csat/${forged}`, 'score=2')).status).toBe(400);
    expect((await post(`/csat/${chatToken}`, 'score=9')).status).toBe(400);
    const secret = loadOrCreateSecretFile(w.v.core.config.dataDir, 'csat-token.key');
    const expired = signSurveyToken(secret, w.a, randomUUID(), new Date(Date.now() - 1000));
    expect((await w.v.call('POST', '/api/v1/csat', { token: expired, score: 3 }, null)).status).toBe(410);
    // A token of tenant A's survey signed for tenant B finds nothing.
    const [s] = await w.v.core.db.withTenant(w.a, (tx) =>
      rows<{ id: string; score: number }>(
        tx,
        sql`select id, score from csat_surveys where conversation_id = ${chatConversation}`,
      ),
    );
    expect(s!.score).toBe(1);
    const crossed = signSurveyToken(secret, w.b, s!.id, new Date(Date.now() + 60_000));
    expect((await w.v.call('POST', '/api/v1/csat', { token: crossed, score: 3 }, null)).status).toBe(400);
    expect(await auditCount(w, w.a, 'csat.answer', chatConversation)).toBe(1);
  });

  it('a resolved e-mail conversation mails a link; the page asks 1–5 and the API takes the answer', async () => {
    const address = `help-${randomBytes(3).toString('hex')}@acme-mail.test`;
    await w.v.core.db.withTenant(w.a, (tx) =>
      tx.execute(
        sql`insert into email_inbound_addresses (tenant_id, address, queue_id) values (${w.a}, ${address}, ${w.queueA1})`,
      ),
    );
    const customer = `kunde.${randomUUID()}@example.test`;
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: w.v.smtpPort!,
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({ from: customer, to: address, subject: 'Rechnung', text: DE });
    mailConversation = await waitFor('the mail conversation', async () => {
      const l = await w.v.call(
        'GET',
        `/api/v1/tenants/${A}/conversations?channel=email`,
        undefined,
        w.s.supA,
      );
      return (l.json.items as Array<{ id: string }>)[0]?.id;
    });
    expect((await patch(mailConversation, { status: 'resolved' })).status).toBe(200);
    const mail = await waitFor('the survey mail', () =>
      sink.received.find((m) => (m.to as { text: string } | undefined)?.text.includes(customer)),
    );
    expect(mail.subject).toBe('Wie zufrieden waren Sie?');
    const link = /\/csat\/([A-Za-z0-9_-]{48}\.[A-Za-z0-9_-]{24})/.exec(mail.text ?? '');
    expect(link).not.toBeNull();
    const page = await fetch(`${w.v.url}/csat/${link![1]}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('lang="de"');
    expect(html.match(/name="score"/g)).toHaveLength(5);
    const r = await w.v.call('POST', '/api/v1/csat', { token: link![1], score: 5 }, null);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ ok: true, score: 5 });
    expect((await fetch(`${w.v.url}/csat/${link![1]}`)).status).toBe(409);
  });

  it('stores the score without personal data', async () => {
    const cols = await w.v.core.db.withOwner((tx) =>
      rows<{ column_name: string; data_type: string }>(
        tx,
        sql`select column_name, data_type from information_schema.columns where table_name = 'csat_surveys'`,
      ),
    );
    expect(cols.filter((c) => c.data_type === 'text').map((c) => c.column_name)).toEqual(['channel']);
    const all = await w.v.core.db.withTenant(w.a, (tx) =>
      rows<Record<string, unknown>>(tx, sql`select * from csat_surveys`),
    );
    expect(JSON.stringify(all)).not.toMatch(/@|Bonjour|Hallo/);
  });

  it('quality sampling by low satisfaction picks the conversation rated 1, not the one rated 5', async () => {
    const q = `/api/v1/tenants/${A}/quality`;
    const card = await w.v.call(
      'POST',
      `${q}/scorecards`,
      {
        name: 'CSAT follow-up',
        criteria: [{ key: 'empathy', label: 'Empathy', weight: 1, autoFail: false }],
      },
      w.s.supA,
    );
    const s = await w.v.call(
      'POST',
      `${q}/samples`,
      { scorecardId: card.json.id, size: 10, maxSatisfaction: 2 },
      w.s.supA,
    );
    expect(s.status).toBe(200);
    expect(s.json.reviews).toHaveLength(1);
    const [rev] = await w.v.core.db.withTenant(w.a, (tx) =>
      rows<{ conversation_id: string }>(
        tx,
        sql`select conversation_id from quality_reviews where id = ${s.json.reviews[0]}`,
      ),
    );
    expect(rev!.conversation_id).toBe(chatConversation);
    const bad = await w.v.call(
      'POST',
      `${q}/samples`,
      { scorecardId: card.json.id, size: 1, maxSatisfaction: 0 },
      w.s.supA,
    );
    expect(bad.status).toBe(400);
  });
});
