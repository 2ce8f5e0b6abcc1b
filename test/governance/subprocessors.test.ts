// Sub-processor register end to end: the operator adds a sub-processor for two tenants, both
// tenants' admins and DPOs get the notice in the console and by e-mail over a real SMTP socket,
// one tenant objects and is excluded, the other accepts; deny by default, cross-tenant 404.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { type Gateways, startGateways, waitFor } from '../verification/world.ts';

const suffix = randomBytes(3).toString('hex');
const [slugA, slugB, slugC] = ['a', 'b', 'c'].map((x) => `gov-sp-${x}-${suffix}`) as [string, string, string];
const entry = {
  name: 'Acme Speech GmbH',
  service: 'speech-to-text for call transcripts',
  dataCategories: ['voice recordings'],
  countries: ['DE'],
  transferMechanism: 'none',
  contractStart: '2026-01-01',
};

let v: TestVigil;
let g: Gateways;
const s = {} as Record<'op' | 'adminA' | 'dpoA' | 'dpoB' | 'adminC' | 'agentA', Session>;
const mails = {} as Record<'adminA' | 'dpoA' | 'dpoB' | 'adminC', string>;

beforeAll(async () => {
  g = await startGateways();
  v = await startTestVigil({ smtpRelayUrl: `smtp://127.0.0.1:${g.smtpPort}`, subProcessorObjectionDays: 14 });
  for (const t of [slugA, slugB, slugC]) await v.tenant(t);
  const op = await v.makeUser([{ role: 'platform_admin' }]);
  const adminA = await v.makeUser([{ role: 'tenant_admin', tenant: slugA }]);
  const dpoA = await v.makeUser([{ role: 'dpo', tenant: slugA }]);
  const dpoB = await v.makeUser([{ role: 'dpo', tenant: slugB }]);
  const adminC = await v.makeUser([{ role: 'tenant_admin', tenant: slugC }]);
  const agentA = await v.makeUser([{ role: 'agent', tenant: slugA }]);
  Object.assign(mails, { adminA: adminA.email, dpoA: dpoA.email, dpoB: dpoB.email, adminC: adminC.email });
  Object.assign(s, {
    op: await v.login(op),
    adminA: await v.login(adminA),
    dpoA: await v.login(dpoA),
    dpoB: await v.login(dpoB),
    adminC: await v.login(adminC),
    agentA: await v.login(agentA),
  });
}, 60_000);

afterAll(async () => {
  await v?.close();
  await g?.close();
});

const mailTo = (addr: string) => g.mail.filter((m) => m.to && JSON.stringify(m.to).includes(addr));

describe('sub-processor change notice', () => {
  let subProcessorId = '';
  let noticeA = '';
  let noticeB = '';

  it('notifies two tenants in the console and by e-mail, with the configured window', async () => {
    const r = await v.call(
      'POST',
      '/api/v1/admin/sub-processors',
      { ...entry, tenants: [slugA, slugB] },
      s.op,
    );
    expect(r.status).toBe(201);
    subProcessorId = r.json.subProcessor.id;
    expect(r.json.notices).toHaveLength(2);
    await waitFor(
      async () => mailTo(mails.adminA).length && mailTo(mails.dpoA).length && mailTo(mails.dpoB).length,
    );
    expect(mailTo(mails.adminC)).toHaveLength(0);
    expect(mailTo(mails.dpoB)[0]!.text).toContain('Acme Speech GmbH');

    const a = await v.call('GET', `/api/v1/tenants/${slugA}/governance/sub-processors`, undefined, s.dpoA);
    expect(a.status).toBe(200);
    expect(a.json.subProcessors[0]).toMatchObject({ id: subProcessorId, state: 'pending' });
    const n = a.json.notices[0];
    expect(n).toMatchObject({ kind: 'added', open: true, decision: 'pending', mailed: 2 });
    const days = (Date.parse(n.objectionDeadline) - Date.parse(n.createdAt)) / 86_400_000;
    expect(Math.round(days)).toBe(14);
    noticeA = n.id;
    const b = await v.call('GET', `/api/v1/tenants/${slugB}/governance/sub-processors`, undefined, s.dpoB);
    noticeB = b.json.notices[0].id;
  });

  it('an objection blocks the sub-processor for that tenant only', async () => {
    const ob = await v.call(
      'POST',
      `/api/v1/tenants/${slugB}/governance/sub-processor-notices/${noticeB}/decision`,
      { decision: 'objected', reason: 'transcripts must stay with our own provider' },
      s.dpoB,
    );
    expect(ob.status).toBe(200);
    expect(ob.json.decision).toBe('objected');
    const ac = await v.call(
      'POST',
      `/api/v1/tenants/${slugA}/governance/sub-processor-notices/${noticeA}/decision`,
      { decision: 'accepted' },
      s.adminA,
    );
    expect(ac.status).toBe(200);
    const b = await v.call('GET', `/api/v1/tenants/${slugB}/governance/sub-processors`, undefined, s.dpoB);
    expect(b.json.subProcessors[0].state).toBe('blocked');
    const a = await v.call('GET', `/api/v1/tenants/${slugA}/governance/sub-processors`, undefined, s.dpoA);
    expect(a.json.subProcessors[0]).toMatchObject({ state: 'active', acceptedVersion: 1 });
    const again = await v.call(
      'POST',
      `/api/v1/tenants/${slugB}/governance/sub-processor-notices/${noticeB}/decision`,
      { decision: 'accepted' },
      s.dpoB,
    );
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('objection_window_closed');
  });

  it('a change notifies every assigned tenant again', async () => {
    const r = await v.call(
      'PUT',
      `/api/v1/admin/sub-processors/${subProcessorId}`,
      { ...entry, countries: ['DE', 'US'], transferMechanism: 'scc' },
      s.op,
    );
    expect(r.status).toBe(200);
    expect(r.json.subProcessor.version).toBe(2);
    expect(r.json.notices).toHaveLength(2);
    const a = await v.call('GET', `/api/v1/tenants/${slugA}/governance/sub-processors`, undefined, s.dpoA);
    expect(a.json.notices[0]).toMatchObject({ kind: 'changed', version: 2, open: true });
    // Until A decides, the accepted version 1 stays in effect.
    expect(a.json.subProcessors[0]).toMatchObject({ state: 'active', acceptedVersion: 1 });
  });

  it('denies by default and answers 404 across tenants', async () => {
    expect(
      (await v.call('GET', `/api/v1/tenants/${slugA}/governance/sub-processors`, undefined, s.agentA)).status,
    ).toBe(403);
    expect((await v.call('GET', '/api/v1/admin/sub-processors', undefined, s.dpoA)).status).toBe(403);
    expect((await v.call('POST', '/api/v1/admin/sub-processors', entry, s.adminA)).status).toBe(403);
    const foreign = await v.call(
      'POST',
      `/api/v1/tenants/${slugC}/governance/sub-processor-notices/${noticeA}/decision`,
      { decision: 'objected' },
      s.adminC,
    );
    expect(foreign.status).toBe(404);
    const c = await v.call('GET', `/api/v1/tenants/${slugC}/governance/sub-processors`, undefined, s.adminC);
    expect(c.json).toEqual({ subProcessors: [], notices: [] });
    const other = await v.call(
      'GET',
      `/api/v1/tenants/${slugA}/governance/sub-processors`,
      undefined,
      s.adminC,
    );
    expect(other.status).toBe(404);
  });

  it('audits every step', async () => {
    const tenantB = await v.tenant(slugB);
    const events = await v.core.db.withOwner((tx) =>
      rows<{ action: string }>(
        tx,
        sql`select action from audit_events where tenant_id = ${tenantB} and action like 'governance.subprocessor.%' order by seq`,
      ),
    );
    expect(events.map((e) => e.action)).toEqual([
      'governance.subprocessor.notice',
      'governance.subprocessor.objected',
      'governance.subprocessor.notice',
    ]);
  });
});
