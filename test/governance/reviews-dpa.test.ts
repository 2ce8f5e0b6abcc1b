// Change-triggered reviews and the data-processing agreement: a changed PII policy and a new
// sub-processor open review items the security officer closes with a decision and a reason;
// the DPA is generated from live configuration, gets a new version when the sub-processors in
// effect change, and the client's acceptance of a version is recorded.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { waitFor } from '../verification/world.ts';

const suffix = randomBytes(3).toString('hex');
const slug = `gov-rev-${suffix}`;
const other = `gov-rev-o-${suffix}`;
const base = `/api/v1/tenants/${slug}/governance`;

let v: TestVigil;
const s = {} as Record<'admin' | 'dpo' | 'officer' | 'agent' | 'op' | 'dpoOther', Session>;

beforeAll(async () => {
  v = await startTestVigil();
  await v.tenant(slug);
  await v.tenant(other);
  s.admin = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: slug }]));
  s.dpo = await v.login(await v.makeUser([{ role: 'dpo', tenant: slug }]));
  s.officer = await v.login(await v.makeUser([{ role: 'security_officer', tenant: slug }]));
  s.agent = await v.login(await v.makeUser([{ role: 'agent', tenant: slug }]));
  s.op = await v.login(await v.makeUser([{ role: 'platform_admin' }]));
  s.dpoOther = await v.login(await v.makeUser([{ role: 'dpo', tenant: other }]));
}, 60_000);

afterAll(async () => {
  await v?.close();
});

const openReviews = async () =>
  (await v.call('GET', `${base}/reviews?state=open`, undefined, s.dpo)).json.items as Array<{
    id: string;
    kind: string;
    diff: Record<string, unknown>;
  }>;

describe('change-triggered reviews', () => {
  it('a changed PII policy and a new sub-processor open review items', async () => {
    const p = await v.call('GET', `/api/v1/tenants/${slug}/settings/pii-policy`, undefined, s.admin);
    expect(p.status).toBe(200);
    const put = await v.call(
      'PUT',
      `/api/v1/tenants/${slug}/settings/pii-policy`,
      { policy: p.json.policy },
      s.admin,
    );
    expect(put.status).toBe(200);
    const r = await v.call(
      'POST',
      '/api/v1/admin/sub-processors',
      {
        name: 'Relay Mail GmbH',
        service: 'outbound e-mail',
        dataCategories: ['e-mail addresses'],
        countries: ['DE'],
        transferMechanism: 'none',
        tenants: [slug],
      },
      s.op,
    );
    expect(r.status).toBe(201);
    const items = await waitFor(async () => {
      const list = await openReviews();
      return list.some((i) => i.kind === 'pii_policy') && list.some((i) => i.kind === 'sub_processor')
        ? list
        : null;
    });
    const pii = items.find((i) => i.kind === 'pii_policy')!;
    expect(pii.diff.action).toBe('settings.pii_policy.update');
  });

  it('closing needs a decision and a reason, once, by the security officer or DPO', async () => {
    const [item] = await openReviews();
    const url = `${base}/reviews/${item!.id}/close`;
    expect((await v.call('POST', url, { decision: 'accepted', reason: 'ok' }, s.officer)).status).toBe(400);
    expect(
      (await v.call('POST', url, { decision: 'accepted', reason: 'reviewed, no impact' }, s.agent)).status,
    ).toBe(403);
    expect(
      (await v.call('POST', url, { decision: 'accepted', reason: 'reviewed, no impact' }, s.admin)).status,
    ).toBe(403);
    const foreign = `/api/v1/tenants/${other}/governance/reviews/${item!.id}/close`;
    expect(
      (await v.call('POST', foreign, { decision: 'accepted', reason: 'reviewed, no impact' }, s.dpoOther))
        .status,
    ).toBe(404);
    const ok = await v.call(
      'POST',
      url,
      { decision: 'remediation', reason: 'policy must redact IBANs' },
      s.officer,
    );
    expect(ok.status).toBe(200);
    expect(
      (await v.call('POST', url, { decision: 'accepted', reason: 'reviewed, no impact' }, s.dpo)).status,
    ).toBe(409);
    const closed = (await v.call('GET', `${base}/reviews?state=closed`, undefined, s.dpo)).json.items;
    expect(closed[0]).toMatchObject({
      id: item!.id,
      decision: 'remediation',
      reason: 'policy must redact IBANs',
    });
  });
});

describe('data-processing agreement', () => {
  it('is generated from live configuration, versioned, and its acceptance recorded', async () => {
    const first = await v.call('GET', `${base}/dpa`, undefined, s.admin);
    expect(first.status).toBe(200);
    expect(first.json.content.activities.map((a: { id: string }) => a.id)).toContain('voice');
    expect(first.json.content.measures.map((m: { control: string }) => m.control)).toContain('mfa_enforced');
    // Pending notice: the sub-processor is not in effect yet.
    expect(first.json.content.subProcessors).toEqual([]);
    const same = await v.call('GET', `${base}/dpa`, undefined, s.dpo);
    expect(same.json.version).toBe(first.json.version);

    const notices = (await v.call('GET', `${base}/sub-processors`, undefined, s.admin)).json.notices;
    await v.call(
      'POST',
      `${base}/sub-processor-notices/${notices[0].id}/decision`,
      { decision: 'accepted' },
      s.admin,
    );
    const second = await v.call('GET', `${base}/dpa`, undefined, s.admin);
    expect(second.json.version).toBe(first.json.version + 1);
    expect(second.json.content.subProcessors[0].name).toBe('Relay Mail GmbH');
    expect(second.json.acceptedCurrent).toBe(false);

    expect((await v.call('POST', `${base}/dpa/accept`, { version: 99 }, s.admin)).status).toBe(404);
    expect(
      (await v.call('POST', `${base}/dpa/accept`, { version: second.json.version }, s.agent)).status,
    ).toBe(403);
    const acc = await v.call('POST', `${base}/dpa/accept`, { version: second.json.version }, s.admin);
    expect(acc.status).toBe(200);
    const after = await v.call('GET', `${base}/dpa`, undefined, s.dpo);
    expect(after.json.acceptedCurrent).toBe(true);
    expect(after.json.acceptances[0]).toMatchObject({ version: second.json.version });
    const html = await v.call('GET', `${base}/dpa?format=html`, undefined, s.dpo);
    expect(html.text).toContain('Relay Mail GmbH');
    expect(html.text).toContain('Data-processing agreement');
    const report = await v.call(
      'GET',
      `/api/v1/tenants/${slug}/compliance/security-report`,
      undefined,
      s.dpo,
    );
    expect(report.status).toBe(200);
    expect(report.json.processingAgreement).toMatchObject({ version: second.json.version });
    const reportHtml = await v.call(
      'GET',
      `/api/v1/tenants/${slug}/compliance/security-report?format=html`,
      undefined,
      s.dpo,
    );
    expect(reportHtml.text).toContain('Data-processing agreement (Art. 28 GDPR)');
  });
});
