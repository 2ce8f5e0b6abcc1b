// The DSAR tests' world: Vigil with a real SMTP relay sink and a signed SMS receiver, one tenant
// with a DPO, one customer with an address and a phone on file, and the requester's helpers
// (file on the public form with its proof of work, read mails and codes).
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { solve } from '../../src/governance/pow.ts';
import type { Config } from '../../src/platform/config.ts';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { type Gateways, SMS_SECRET, startGateways, waitFor } from '../verification/world.ts';

export interface DsarWorld {
  v: TestVigil;
  g: Gateways;
  dpo: Session;
  tenantId: string;
  customerId: string;
  /** Random per run: names that no earlier run used. */
  suffix: string;
  slug: string;
  address: string;
  phone: string;
  /** The public intake API and the DPO's intake API of the tenant. */
  pub: string;
  staff: string;
  file(body: Record<string, unknown>): ReturnType<TestVigil['call']>;
  mailsTo(to: string): Gateways['mail'];
  waitMails(to: string, n: number): Promise<Gateways['mail']>;
  close(): Promise<void>;
}

export const codeIn = (text: string | undefined) => /(?:code|Code) ?: (\d{6})/.exec(text ?? '')?.[1];

export async function startDsarWorld(
  prefix: string,
  customer: { name: string; local: string },
  config: Partial<Config> = {},
): Promise<DsarWorld> {
  const suffix = randomBytes(3).toString('hex');
  const slug = `${prefix}-${suffix}`;
  const address = `${customer.local}-${suffix}@example.test`;
  const phone = `+49 170 555 0${String(Number.parseInt(suffix, 16) % 1000).padStart(3, '0')}`;
  const g = await startGateways();
  const v = await startTestVigil({
    smtpRelayUrl: `smtp://127.0.0.1:${g.smtpPort}`,
    smsWebhookUrl: g.smsUrl,
    smsWebhookSecret: SMS_SECRET,
    dsarPowBits: 8,
    dsarRequestsPerMinute: 1000,
    ...config,
  });
  const tenantId = await v.tenant(slug);
  const dpo = await v.login(await v.makeUser([{ role: 'dpo', tenant: slug }]));
  const agent = await v.login(await v.makeUser([{ role: 'agent', tenant: slug }]));
  const c = await v.call(
    'POST',
    `/api/v1/tenants/${slug}/customers`,
    { name: customer.name, emails: [address], phones: [phone] },
    agent,
  );
  expect(c.status).toBe(201);
  const pub = `/api/v1/public/tenants/${slug}/privacy-requests`;
  const mailsTo = (to: string) => g.mail.filter((m) => JSON.stringify(m.to).includes(to));
  return {
    v,
    g,
    dpo,
    tenantId,
    customerId: c.json.id,
    suffix,
    slug,
    address,
    phone,
    pub,
    staff: `/api/v1/tenants/${slug}/governance/dsar-intakes`,
    async file(body) {
      const ch = await v.call('GET', `${pub}/challenge`);
      const nonce = solve(ch.json.challenge, ch.json.difficulty);
      return v.call('POST', pub, { type: 'access', challenge: ch.json.challenge, nonce, ...body });
    },
    mailsTo,
    waitMails: (to, n) => waitFor(async () => (mailsTo(to).length >= n ? mailsTo(to) : null)),
    async close() {
      await v.close();
      await g.close();
    },
  };
}
