// A contact-center world like test/conversations/fixture.ts, plus what verification and payments
// need: a real SMTP relay sink (smtp-server + mailparser), a real HTTP SMS gateway, the local test
// payment provider, and a customer with a full profile.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { pgTextArray } from '../../src/ingest/index.ts';
import { rows } from '../../src/platform/db.ts';
import { SIGNATURE_HEADER, verifyWebhook } from '../../src/platform/webhook-signature.ts';
import { issueApiToken } from '../../src/tenancy/index.ts';
import type { World } from '../conversations/fixture.ts';
import { startTestVigil } from '../helpers/app.ts';

export interface Gateways {
  mail: ParsedMail[];
  sms: Array<{ to: string; text: string; signatureOk: boolean }>;
  smsDown: boolean;
  close(): Promise<void>;
  smtpPort: number;
  smsUrl: string;
}

export const SMS_SECRET = 'sms-gateway-secret-0123456789';

export async function startGateways(): Promise<Gateways> {
  const g = { mail: [], sms: [], smsDown: false } as unknown as Gateways;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _s, cb) {
      simpleParser(stream).then(
        (m) => {
          g.mail.push(m);
          cb();
        },
        (e) => cb(e),
      );
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  g.smtpPort = (smtp.server.address() as AddressInfo).port;
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      if (g.smsDown) {
        res.statusCode = 503;
        res.end();
        return;
      }
      const m = JSON.parse(body) as { to: string; text: string };
      g.sms.push({
        ...m,
        signatureOk: verifyWebhook(SMS_SECRET, body, String(req.headers[SIGNATURE_HEADER]), Date.now()),
      });
      res.statusCode = 202;
      res.end('{}');
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  g.smsUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/sms`;
  g.close = async () => {
    await new Promise<void>((r) => smtp.close(() => r()));
    await new Promise<void>((r) => http.close(() => r()));
  };
  return g;
}

export async function startPaymentsWorld(g: Gateways): Promise<World & { slugA: string; slugB: string }> {
  const v = await startTestVigil({
    logLevel: 'info',
    smtpRelayUrl: `smtp://127.0.0.1:${g.smtpPort}`,
    smsWebhookUrl: g.smsUrl,
    smsWebhookSecret: SMS_SECRET,
    paymentProvider: 'test',
  });
  const suffix = randomBytes(3).toString('hex');
  const slugA = `pay-a-${suffix}`;
  const slugB = `pay-b-${suffix}`;
  const a = await v.tenant(slugA);
  const b = await v.tenant(slugB);
  const agentA1 = await v.makeUser([{ role: 'agent', tenant: slugA }]);
  const agentA2 = await v.makeUser([{ role: 'agent', tenant: slugA }]);
  const agentB = await v.makeUser([{ role: 'agent', tenant: slugB }]);
  const supA = await v.makeUser([{ role: 'supervisor', tenant: slugA }]);
  const setup = async (tenantId: string, queues: Array<[string, string[]]>) =>
    v.core.db.withTenant(tenantId, async (tx) => {
      const ids: string[] = [];
      for (const [name, members] of queues) {
        const [q] = await rows<{ id: string }>(
          tx,
          sql`insert into queues (tenant_id, name) values (${tenantId}, ${name}) returning id`,
        );
        for (const m of members)
          await tx.execute(
            sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenantId}, ${q!.id}, ${m})`,
          );
        ids.push(q!.id);
      }
      await tx.execute(sql`insert into chat_widget_settings (tenant_id, allowed_origins, queue_id)
        values (${tenantId}, ${pgTextArray(['http://localhost', 'http://127.0.0.1'])}::text[], ${ids[0]!})`);
      return ids;
    });
  const [queueA1, queueA2] = (await setup(a, [
    ['first', [agentA1.id]],
    ['second', [agentA2.id]],
  ])) as [string, string];
  const [queueB] = (await setup(b, [['only', [agentB.id]]])) as [string];
  const { token: voiceToken } = await issueApiToken(v.core.db, {
    tenantId: a,
    name: 'pbx',
    scopes: ['calls:write'],
  });
  const s = {
    agentA1: await v.login(agentA1),
    agentA2: await v.login(agentA2),
    agentB: await v.login(agentB),
    supA: await v.login(supA),
  };
  return { v, a, b, queueA1, queueA2, queueB, agentA1, agentA2, agentB, supA, voiceToken, s, slugA, slugB };
}

/** Opens an inbound call in queue A1 and returns its ids. */
export async function openCall(w: World & { slugA: string }, from: string) {
  const r = await w.v.call(
    'POST',
    `/api/v1/tenants/${w.slugA}/calls`,
    { from, to: '+49 30 23125 999', direction: 'inbound', queueId: w.queueA1 },
    null,
    { authorization: `Bearer ${w.voiceToken}` },
  );
  if (r.status !== 201) throw new Error(`call ${r.status} ${r.text}`);
  return { callId: r.json.callId as string, conversationId: r.json.conversationId as string };
}

export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
