// The one-time code reaches the customer in the conversation's language: French for a French
// conversation (by e-mail through the real SMTP relay and by SMS through the real gateway),
// English when no language was detected.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { World } from '../conversations/fixture.ts';
import type { Session } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { type Gateways, openCall, startGateways, startPaymentsWorld, waitFor } from './world.ts';

describe(`one-time code messages in the customer's language (${testDbKind})`, () => {
  let g: Gateways;
  let w: World & { slugA: string; slugB: string };
  let admin: Session;
  beforeAll(async () => {
    g = await startGateways();
    w = await startPaymentsWorld(g);
    admin = await w.v.login(await w.v.makeUser([{ role: 'tenant_admin', tenant: w.slugA }]));
    const policy = await w.v.call(
      'PUT',
      `/api/v1/tenants/${w.slugA}/settings/verification-policy`,
      { policy: { factors: ['one_time_code', 'date_of_birth'], required: 1, maxAttempts: 3 } },
      admin,
    );
    expect(policy.status).toBe(200);
  });
  afterAll(async () => {
    await w.v.close();
    await g.close();
  });

  /** A customer with an address and a phone on file, on a call, in `language` (null: unknown). */
  const conversation = async (name: string, email: string, phone: string, language: string | null) => {
    const c = await w.v.call(
      'POST',
      `/api/v1/tenants/${w.slugA}/customers`,
      { name, emails: [email], phones: [phone] },
      w.s.agentA1,
    );
    expect(c.status).toBe(201);
    const { conversationId } = await openCall(w, phone);
    // What language detection records from the first customer message (a call carries none).
    await w.v.core.db.withTenant(w.a, (tx) =>
      tx.execute(sql`update conversations set language = ${language} where id = ${conversationId}`),
    );
    return (tail: string) => `/api/v1/tenants/${w.slugA}/conversations/${conversationId}/verification${tail}`;
  };

  it('mails and texts the code in French for a French conversation', async () => {
    const email = 'camille.durand@example.fr';
    const phone = '+33 1 44 55 66 77';
    const v = await conversation('Camille Durand', email, phone, 'fr');
    expect((await w.v.call('POST', v('/codes'), { channel: 'email' }, w.s.agentA1)).status).toBe(202);
    const mail = await waitFor(async () => g.mail.find((m) => JSON.stringify(m.to).includes(email)));
    expect(mail.subject).toBe(`Votre code de vérification pour Tenant ${w.slugA}`);
    expect(mail.text).toMatch(/^Votre code de vérification est \d{6}\. Il est valable 5 minutes\./);
    expect(mail.text).not.toMatch(/verification code|valid for/);
    expect((await w.v.call('POST', v('/codes'), { channel: 'sms' }, w.s.agentA1)).status).toBe(202);
    const sms = await waitFor(async () => g.sms.find((m) => m.text.startsWith('Votre code')));
    expect(sms.signatureOk).toBe(true);
    expect(sms.text).toMatch(/^Votre code de vérification est \d{6}\./);
  });

  it('stays English when no language was detected', async () => {
    const email = 'kim.unknown@example.org';
    const v = await conversation('Kim Unknown', email, '+49 30 555 0199', null);
    expect((await w.v.call('POST', v('/codes'), { channel: 'email' }, w.s.agentA1)).status).toBe(202);
    const mail = await waitFor(async () => g.mail.find((m) => JSON.stringify(m.to).includes(email)));
    expect(mail.subject).toBe(`Your verification code for Tenant ${w.slugA}`);
    expect(mail.text).toMatch(/^Your verification code is \d{6}\. It is valid for 5 minutes\./);
  });
});
