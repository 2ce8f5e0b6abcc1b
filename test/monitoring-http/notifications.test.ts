// Alerts reach people: a tenant's security officer adds an e-mail channel (outbound SMTP relay)
// and a signed webhook; a real alert (a burst of profile views) is e-mailed and posted, each
// retried after a first refusal; a channel above the alert's severity stays silent; the SIEM
// export carries the alert's OCSF severity and rule title.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, verifyWebhook } from '../../src/monitoring/index.ts';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

const waitFor = async <T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 60_000,
): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe(`alert notifications (${testDbKind})`, () => {
  let v: TestVigil;
  let smtp: SMTPServer;
  let hooks: Server;
  const mails: ParsedMail[] = [];
  const refusedRcpt: string[] = [];
  const posts: Array<{ body: string; signature: string; ok: boolean }> = [];
  const secret = 'whsec-0123456789abcdef';
  const siem = join(tmpdir(), `vigil-alerts-siem-${process.pid}-${Date.now()}.jsonl`);
  let so: Session;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      // The relay refuses the first attempt for the security team (temporary failure).
      onRcptTo(addr, _s, cb) {
        if (addr.address === 'soc@client.test' && !refusedRcpt.includes(addr.address)) {
          refusedRcpt.push(addr.address);
          return cb(Object.assign(new Error('try later'), { responseCode: 451 }));
        }
        cb();
      },
      onData(stream, _s, cb) {
        simpleParser(stream).then((m) => {
          mails.push(m);
          cb();
        }, cb);
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
    // The webhook receiver answers 503 the first time.
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const ok = posts.length > 0;
        posts.push({ body, signature: String(req.headers[SIGNATURE_HEADER] ?? ''), ok });
        res.writeHead(ok ? 200 : 503).end();
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', () => r()));
    v = await startTestVigil({
      smtpRelayUrl: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
      siemAllowPrivateTargets: true,
      alertRetryBaseSeconds: 1,
      siemFile: siem,
    });
    await v.tenant('notify-a');
    await v.tenant('notify-b');
    so = await v.login(await v.makeUser([{ role: 'security_officer', tenant: 'notify-a' }]));
  });
  afterAll(async () => {
    await v.close();
    await new Promise<void>((r) => smtp.close(() => r()));
    await new Promise<void>((r) => hooks.close(() => r()));
    rmSync(siem, { force: true });
  });

  it('e-mails and posts a high alert to the channels at or below high, each retried once', async () => {
    const base = '/api/v1/tenants/notify-a/alert-channels';
    const hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/vigil`;
    const add = (body: unknown) => v.call('POST', base, body, so);
    expect((await add({ kind: 'email', to: ['soc@client.test'], minSeverity: 'high' })).status).toBe(201);
    expect((await add({ kind: 'email', to: ['ciso@client.test'], minSeverity: 'critical' })).status).toBe(
      201,
    );
    const hook = await add({ kind: 'webhook', url: hookUrl, secret, minSeverity: 'medium' });
    expect(hook.status).toBe(201);
    expect(hook.json).toMatchObject({ kind: 'webhook', url: hookUrl, minSeverity: 'medium' });
    expect(JSON.stringify(hook.json)).not.toContain(secret);
    expect((await add({ kind: 'webhook', url: hookUrl, secret: 'short', minSeverity: 'low' })).status).toBe(
      400,
    );

    // A burst of profile views (threshold lowered to 3) raises a high alert for the agent.
    const rule = await v.call(
      'PUT',
      '/api/v1/tenants/notify-a/monitoring/rules/view_burst',
      { threshold: 3, action: 'alert' },
      so,
    );
    expect(rule.status).toBe(200);
    const sup = await v.login(await v.makeUser([{ role: 'supervisor', tenant: 'notify-a' }]));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (await v.call('POST', '/api/v1/tenants/notify-a/customers', { name: `Kundin ${i}` }, sup)).json.id,
      );
    const agent = await v.makeUser([{ role: 'agent', tenant: 'notify-a' }]);
    const as = await v.login(agent);
    for (const id of ids) await v.call('GET', `/api/v1/tenants/notify-a/customers/${id}`, undefined, as);

    const delivered = await waitFor('the webhook retry', () => posts.find((p) => p.ok));
    expect(posts[0]!.ok).toBe(false);
    expect(verifyWebhook(secret, delivered.body, delivered.signature, Date.now())).toBe(true);
    const payload = JSON.parse(delivered.body);
    expect(payload).toMatchObject({
      type: 'monitoring.alert.created',
      alert: { tenantId: await v.tenant('notify-a'), ruleId: 'view_burst', severity: 'high' },
    });
    expect(payload.alert.subject).toEqual({ type: 'user', id: agent.id });
    const mail = await waitFor('the e-mail retry', () =>
      mails.find((m) => m.text?.includes(payload.alert.id)),
    );
    expect(refusedRcpt).toEqual(['soc@client.test']);
    expect(mail.subject).toBe('[Vigil high] Burst of customer profile views');
    expect((mail.to as { text: string }).text).toBe('soc@client.test');
    expect(mail.text).not.toMatch(/Kundin/);

    // Delivery state per channel; the critical-only channel took nothing.
    type Channel = { to?: string[]; deliveries: { pending: number; delivered: number; failed: number } };
    const channels = await waitFor('delivery states', async () => {
      const items = (await v.call('GET', base, undefined, so)).json.items as Channel[];
      const soc = items.find((c) => c.to?.[0] === 'soc@client.test');
      return soc?.deliveries.delivered === 1 && items;
    });
    const ciso = channels.find((c) => c.to?.[0] === 'ciso@client.test');
    expect(ciso!.deliveries).toEqual({ pending: 0, delivered: 0, failed: 0 });
    expect(mails.some((m) => (m.to as { text: string }).text.includes('ciso'))).toBe(false);

    // The SIEM gets the alert as a High Detection Finding titled by the rule.
    const finding = await waitFor('the SIEM finding', () =>
      (existsSync(siem) ? readFileSync(siem, 'utf8').trim().split('\n') : [])
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .find((e) => e.class_uid === 2004 && e.metadata?.tenant_uid === payload.alert.tenantId),
    );
    expect(finding).toMatchObject({
      severity_id: 4,
      severity: 'High',
      finding_info: { title: 'Burst of customer profile views', types: ['vigil.monitoring.view_burst'] },
    });
  });

  it('channels are the tenant security officer’s own: other tenants get 404, agents 403', async () => {
    const base = '/api/v1/tenants/notify-a/alert-channels';
    const [first] = (await v.call('GET', base, undefined, so)).json.items as Array<{ id: string }>;
    const soB = await v.login(await v.makeUser([{ role: 'security_officer', tenant: 'notify-b' }]));
    expect(
      (await v.call('DELETE', `/api/v1/tenants/notify-b/alert-channels/${first!.id}`, undefined, soB)).status,
    ).toBe(404);
    expect(
      (await v.call('GET', '/api/v1/tenants/notify-b/alert-channels', undefined, soB)).json.items,
    ).toEqual([]);
    const agent = await v.login(await v.makeUser([{ role: 'agent', tenant: 'notify-a' }]));
    expect(
      (await v.call('POST', base, { kind: 'email', to: ['x@client.test'], minSeverity: 'low' }, agent))
        .status,
    ).toBe(403);
    expect((await v.call('DELETE', `${base}/${first!.id}`, undefined, so)).status).toBe(204);
  });
});
