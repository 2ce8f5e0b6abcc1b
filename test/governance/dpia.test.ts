// DPIA end to end: the DPO writes a DPIA for a processing activity with measures linked to live
// controls, signs it; the tenant admin relaxes the MFA policy and a review task appears; HTML
// export; versions; deny by default and 404 across tenants.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';

const suffix = randomBytes(3).toString('hex');
const slugA = `gov-dpia-a-${suffix}`;
const slugB = `gov-dpia-b-${suffix}`;
const risk = (kind: string) => ({
  kind,
  sources: 'an agent account taken over by phishing',
  likelihoodBefore: 3,
  severityBefore: 3,
  likelihoodAfter: 1,
  severityAfter: 3,
});
const content = {
  description: 'Customer service by telephone: calls, transcripts and notes for the client company.',
  necessity: 'Only contact data and call content needed to answer the enquiry; deleted by retention rules.',
  risks: [risk('illegitimate_access'), risk('unwanted_change'), risk('disappearance')],
  measures: ['second factor for every member', 'row-level security', 'keys per data subject'],
  controls: [
    'mfa_enforced',
    'rls',
    'subject_encryption',
    'retention_rules',
    'pii_policy',
    'monitoring_rules',
  ],
};

let v: TestVigil;
const s = {} as Record<'dpoA' | 'adminA' | 'agentA' | 'dpoB', Session>;

beforeAll(async () => {
  v = await startTestVigil();
  await v.tenant(slugA);
  await v.tenant(slugB);
  const users = {
    dpoA: await v.makeUser([{ role: 'dpo', tenant: slugA }]),
    adminA: await v.makeUser([{ role: 'tenant_admin', tenant: slugA }]),
    agentA: await v.makeUser([{ role: 'agent', tenant: slugA }]),
    dpoB: await v.makeUser([{ role: 'dpo', tenant: slugB }]),
  };
  for (const [k, u] of Object.entries(users)) s[k as keyof typeof s] = await v.login(u);
  const p = await v.call(
    'PUT',
    `/api/v1/tenants/${slugA}/identity/phishing-resistant`,
    { allRoles: false, roles: ['agent'] },
    s.adminA,
  );
  expect(p.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await v?.close();
});

const base = `/api/v1/tenants/${slugA}/governance/dpias`;

describe('DPIA linked to live controls', () => {
  let id = '';

  it('the DPO writes a DPIA for an activity of the record of processing; controls are read live', async () => {
    const bad = await v.call('POST', base, { activityId: 'no-such-activity', content }, s.dpoA);
    expect(bad.status).toBe(400);
    const twoRisks = await v.call(
      'POST',
      base,
      {
        activityId: 'voice',
        content: {
          ...content,
          risks: [risk('disappearance'), risk('disappearance'), risk('unwanted_change')],
        },
      },
      s.dpoA,
    );
    expect(twoRisks.status).toBe(400);
    const r = await v.call('POST', base, { activityId: 'voice', content }, s.dpoA);
    expect(r.status).toBe(201);
    id = r.json.id;
    expect(r.json.version).toBe(1);
    const mfa = r.json.controls.find((c: { key: string }) => c.key === 'mfa_enforced');
    expect(mfa.summary).toContain('phishing-resistant factor required for agent');
    const rls = r.json.controls.find((c: { key: string }) => c.key === 'rls');
    expect(rls.ok).toBe(true);
    const dup = await v.call('POST', base, { activityId: 'voice', content }, s.dpoA);
    expect(dup.status).toBe(409);
  });

  it('edits make versions; the DPO signs the current one with an opinion', async () => {
    const u = await v.call(
      'PUT',
      `${base}/${id}`,
      { content: { ...content, measures: [...content.measures, 'monitoring'] } },
      s.dpoA,
    );
    expect(u.status).toBe(200);
    expect(u.json.version).toBe(2);
    const signed = await v.call(
      'POST',
      `${base}/${id}/sign`,
      { opinion: 'Residual risks are acceptable.' },
      s.dpoA,
    );
    expect(signed.status).toBe(200);
    expect(signed.json.signedAt).not.toBeNull();
    const months =
      (Date.parse(signed.json.reviewDueAt) - Date.parse(signed.json.signedAt)) / (30 * 86_400_000);
    expect(months).toBeGreaterThan(11.9);
    expect(signed.json.versions.map((x: { version: number }) => x.version)).toEqual([1, 2]);
    const again = await v.call(
      'POST',
      `${base}/${id}/sign`,
      { opinion: 'Residual risks are acceptable.' },
      s.dpoA,
    );
    expect(again.status).toBe(409);
    const list = await v.call('GET', base, undefined, s.dpoA);
    expect(list.json.reviewTasks).toEqual([]);
  });

  it('relaxing the MFA policy opens a review task', async () => {
    const p = await v.call(
      'PUT',
      `/api/v1/tenants/${slugA}/identity/phishing-resistant`,
      { allRoles: false, roles: [] },
      s.adminA,
    );
    expect(p.status).toBe(200);
    const list = await v.call('GET', base, undefined, s.dpoA);
    expect(list.json.reviewTasks).toHaveLength(1);
    expect(list.json.reviewTasks[0]).toMatchObject({
      id,
      reviewReason: 'control_changed:mfa_enforced',
      reviewDue: true,
    });
    const d = await v.call('GET', `${base}/${id}`, undefined, s.adminA);
    const mfa = d.json.controls.find((c: { key: string }) => c.key === 'mfa_enforced');
    expect(mfa.changedSinceSignature).toBe(true);
  });

  it('exports as HTML like the other compliance documents', async () => {
    const r = await v.call('GET', `${base}/${id}?format=html`, undefined, s.dpoA);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/html');
    expect(r.text).toContain('Data protection impact assessment: voice');
    expect(r.text).toContain('control_changed:mfa_enforced');
    expect(r.text).not.toContain('<script');
    const pdf = await v.call('GET', `${base}/${id}?format=pdf`, undefined, s.dpoA);
    expect(pdf.text.startsWith('%PDF')).toBe(true);
  });

  it('denies by default and answers 404 across tenants', async () => {
    expect((await v.call('GET', base, undefined, s.agentA)).status).toBe(403);
    expect(
      (await v.call('POST', `${base}/${id}/sign`, { opinion: 'Not mine to sign at all.' }, s.adminA)).status,
    ).toBe(403);
    expect((await v.call('GET', base, undefined, s.dpoB)).status).toBe(404);
    const foreign = await v.call('GET', `/api/v1/tenants/${slugB}/governance/dpias/${id}`, undefined, s.dpoB);
    expect(foreign.status).toBe(404);
  });
});
