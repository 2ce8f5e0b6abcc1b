// DSAR intake end to end over real sockets: a customer files an access request on the public
// form (proof of work, honeypot), gets a code by e-mail over a real SMTP socket, a wrong code
// discloses nothing, the right one creates the DPO's subject request with the Art. 12 deadline;
// the DPO extends it with a reason and fulfils it; the customer downloads the export with the
// status token and a mailed code, never with personal data in a URL.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasLeadingZeroBits, solve } from '../../src/governance/pow.ts';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { type Gateways, startGateways, waitFor } from '../verification/world.ts';

const suffix = randomBytes(3).toString('hex');
const slug = `gov-dsar-${suffix}`;
const other = `gov-dsar-o-${suffix}`;
const address = `kunde-${suffix}@example.test`;
const pub = `/api/v1/public/tenants/${slug}/privacy-requests`;

let v: TestVigil;
let g: Gateways;
const s = {} as Record<'dpo' | 'agent' | 'dpoOther', Session>;
let customerId = '';
let dpoEmail = '';

beforeAll(async () => {
  g = await startGateways();
  v = await startTestVigil({
    smtpRelayUrl: `smtp://127.0.0.1:${g.smtpPort}`,
    dsarPowBits: 8,
    dsarRequestsPerMinute: 1000,
  });
  await v.tenant(slug);
  await v.tenant(other);
  const dpo = await v.makeUser([{ role: 'dpo', tenant: slug }]);
  dpoEmail = dpo.email;
  s.dpo = await v.login(dpo);
  s.agent = await v.login(await v.makeUser([{ role: 'agent', tenant: slug }]));
  s.dpoOther = await v.login(await v.makeUser([{ role: 'dpo', tenant: other }]));
  const c = await v.call(
    'POST',
    `/api/v1/tenants/${slug}/customers`,
    { name: 'Erika Muster', emails: [address] },
    s.agent,
  );
  expect(c.status).toBe(201);
  customerId = c.json.id;
}, 60_000);

afterAll(async () => {
  await v?.close();
  await g?.close();
});

async function file(email: string, extra: Record<string, unknown> = {}) {
  const ch = await v.call('GET', `${pub}/challenge`);
  expect(ch.status).toBe(200);
  const nonce = solve(ch.json.challenge, ch.json.difficulty);
  return v.call('POST', pub, { type: 'access', email, challenge: ch.json.challenge, nonce, ...extra });
}

const codeFor = async (to: string, n: number) => {
  const mails = await waitFor(async () => {
    const list = g.mail.filter((m) => JSON.stringify(m.to).includes(to));
    return list.length >= n ? list : null;
  });
  return /code: (\d{6})/.exec(mails[n - 1]!.text ?? '')![1]!;
};

describe('public DSAR intake', () => {
  let token = '';
  let intakeId = '';

  it('refuses bots: unsolved work, a filled honeypot, a replayed challenge', async () => {
    const ch = await v.call('GET', `${pub}/challenge`);
    const { challenge, difficulty } = ch.json;
    let wrong = 0;
    while (hasLeadingZeroBits(createHash('sha256').update(`${challenge}:${wrong}`).digest(), difficulty))
      wrong++;
    const body = { type: 'access', email: 'nobody@example.test', challenge };
    const unsolved = await v.call('POST', pub, { ...body, nonce: String(wrong) });
    expect(unsolved.json.error.code).toBe('dsar_bot_check_failed');
    expect((await file(address, { website: 'http://spam.test' })).json.error.code).toBe(
      'dsar_bot_check_failed',
    );
    const nonce = solve(challenge, difficulty);
    expect((await v.call('POST', pub, { ...body, nonce })).status).toBe(202);
    const replay = await v.call('POST', pub, { ...body, nonce });
    expect(replay.json.error.code).toBe('dsar_bot_check_failed');
    expect(
      (await v.call('GET', `/api/v1/public/tenants/no-such-${suffix}/privacy-requests/challenge`)).status,
    ).toBe(404);
  });

  it('answers alike for unknown addresses and mails a code only to an address on file', async () => {
    const unknown = await file(`stranger-${suffix}@example.test`);
    expect(unknown.status).toBe(202);
    expect(Object.keys(unknown.json)).toEqual(['statusToken']);
    const r = await file(address);
    expect(r.status).toBe(202);
    token = r.json.statusToken;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await codeFor(address, 1);
    expect(g.mail.some((m) => JSON.stringify(m.to).includes(`stranger-${suffix}`))).toBe(false);
    const st = await v.call('POST', `${pub}/status`, { token });
    expect(st.json).toMatchObject({
      type: 'access',
      state: 'unverified',
      extended: false,
      downloadAvailable: false,
    });
    const days = (Date.parse(st.json.dueAt) - Date.parse(st.json.receivedAt)) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(28);
    expect(days).toBeLessThanOrEqual(31);
    expect(st.text).not.toContain(address);
  });

  it('a wrong code discloses nothing; the right one opens the subject request for the DPO', async () => {
    const code = await codeFor(address, 1);
    const wrong = code === '000000' ? '111111' : '000000';
    const bad = await v.call('POST', `${pub}/verify`, { token, code: wrong });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('dsar_code_invalid');
    expect(bad.text).not.toContain(customerId);
    const dl = await v.call('POST', `${pub}/download`, { token, code });
    expect(dl.status).toBe(403);
    const ok = await v.call('POST', `${pub}/verify`, { token, code });
    expect(ok.status).toBe(200);
    expect(ok.json.state).toBe('verified');
    const reqs = await v.call('GET', `/api/v1/tenants/${slug}/privacy/requests`, undefined, s.dpo);
    const sr = reqs.json.items.find((i: { customerId: string }) => i.customerId === customerId);
    expect(sr).toMatchObject({
      type: 'access',
      state: 'received',
      identityCheck: { method: 'email_confirmation' },
    });
    const list = await v.call('GET', `/api/v1/tenants/${slug}/governance/dsar-intakes`, undefined, s.dpo);
    const item = list.json.items.find((i: { subjectRequestId: string }) => i.subjectRequestId === sr.id);
    intakeId = item.id;
    expect(item.dueAt).toBe(sr.dueAt);
  });

  it('reminds the DPOs once of requests due soon, without saying who asked', async () => {
    const tenantId = await v.tenant(slug);
    const germanDpo = `dpo-de-${slug}@example.test`;
    const dpos = async () => [{ email: dpoEmail }, { email: germanDpo, locale: 'de' }];
    expect(await v.governance!.staff.remindDue([{ id: tenantId }], dpos, 7)).toBe(0);
    expect(await v.governance!.staff.remindDue([{ id: tenantId }], dpos, 40)).toBe(1);
    const [mail] = await waitFor(async () => {
      const m = g.mail.filter((x) => JSON.stringify(x.to).includes(dpoEmail));
      return m.length ? m : null;
    });
    expect(mail!.text).toContain('1 privacy request(s) are due within 40 days');
    expect(mail!.text).not.toContain(address);
    // Each DPO reads it in their console language.
    const [german] = await waitFor(async () => {
      const m = g.mail.filter((x) => JSON.stringify(x.to).includes(germanDpo));
      return m.length ? m : null;
    });
    expect(german!.text).toContain('1 Datenschutzanfrage(n) sind innerhalb von 40 Tagen fällig');
    expect(await v.governance!.staff.remindDue([{ id: tenantId }], dpos, 40)).toBe(0);
  });

  it('the DPO extends the deadline by two months with a reason', async () => {
    const short = await v.call(
      'POST',
      `/api/v1/tenants/${slug}/governance/dsar-intakes/${intakeId}/extend`,
      { reason: 'x' },
      s.dpo,
    );
    expect(short.status).toBe(400);
    const r = await v.call(
      'POST',
      `/api/v1/tenants/${slug}/governance/dsar-intakes/${intakeId}/extend`,
      { reason: 'complex request spanning several years of calls' },
      s.dpo,
    );
    expect(r.status).toBe(200);
    const st = await v.call('POST', `${pub}/status`, { token });
    expect(st.json.extended).toBe(true);
    const days = (Date.parse(st.json.dueAt) - Date.parse(st.json.receivedAt)) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(89);
    expect(days).toBeLessThanOrEqual(92);
  });

  it('fulfilled: the requester downloads with the token and a mailed code', async () => {
    expect(
      (
        await v.call(
          'POST',
          `/api/v1/tenants/${slug}/governance/dsar-intakes/${intakeId}/fulfil`,
          undefined,
          s.agent,
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await v.call(
          'POST',
          `/api/v1/tenants/${other}/governance/dsar-intakes/${intakeId}/fulfil`,
          undefined,
          s.dpoOther,
        )
      ).status,
    ).toBe(404);
    const f = await v.call(
      'POST',
      `/api/v1/tenants/${slug}/governance/dsar-intakes/${intakeId}/fulfil`,
      undefined,
      s.dpo,
    );
    expect(f.status).toBe(200);
    const code = await codeFor(address, 2);
    const st = await v.call('POST', `${pub}/status`, { token });
    expect(st.json).toMatchObject({ state: 'fulfilled', downloadAvailable: true });
    const bad = await v.call('POST', `${pub}/download`, {
      token,
      code: code === '000000' ? '111111' : '000000',
    });
    expect(bad.status).toBe(400);
    const dl = await v.call('POST', `${pub}/download`, { token, code });
    expect(dl.status).toBe(200);
    expect(dl.headers.get('cache-control')).toBe('no-store');
    expect(dl.headers.get('content-disposition')).toContain('attachment');
    expect(dl.json.customerId).toBe(customerId);
    expect(dl.json.profile.emails).toEqual([address]);
    // Another tenant's form does not know this token.
    expect(
      (await v.call('POST', `/api/v1/public/tenants/${other}/privacy-requests/status`, { token })).status,
    ).toBe(404);
  });
});
