// The Art. 30 record and the client security report render to JSON, HTML and PDF with their
// required fields; the record is generated from configuration, editable, and takes retention
// periods from the live policies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCount, slugs, startWorld, type World } from '../conversations/fixture.ts';
import type { Session } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { pdfText } from './pdf.ts';

describe(`Art. 30 record and security report (${testDbKind})`, () => {
  let w: World;
  let A: string;
  let dpoA: Session;
  let soA: Session;
  const pdf = async (path: string, s: Session) => {
    const r = await fetch(w.v.url + path, { headers: { cookie: s.cookie, 'user-agent': s.userAgent } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    return pdfText(Buffer.from(await r.arrayBuffer()));
  };
  const htmlText = (html: string) => html.replace(/<\/th><td>/g, ': ').replace(/<[^>]+>/g, ' ');

  beforeAll(async () => {
    w = await startWorld();
    ({ slugA: A } = slugs(w));
    dpoA = await w.v.login(await w.v.makeUser([{ role: 'dpo', tenant: A }]));
    soA = await w.v.login(await w.v.makeUser([{ role: 'security_officer', tenant: A }]));
  });
  afterAll(() => w.v.close());

  it('generates the Art. 30 record with live retention, edits it, exports JSON/HTML/PDF', async () => {
    const p = `/api/v1/tenants/${A}/compliance/processing-record`;
    await w.v.call('PUT', `/api/v1/tenants/${A}/compliance/retention/policies/chat`, { days: 180 }, dpoA);
    const g = await w.v.call('GET', p, undefined, dpoA);
    expect(g.status).toBe(200);
    expect(g.json.source).toBe('generated');
    const ids = g.json.document.activities.map((a: { id: string }) => a.id);
    expect(ids).toEqual(expect.arrayContaining(['chat', 'email', 'voice', 'recording', 'profiles', 'audit']));
    expect(g.json.retention.chat).toMatch(/180 days/);
    expect(g.json.retention.email).toBe('no automatic deletion configured');

    const doc = g.json.document;
    doc.controller.dpoContact = 'Dr. Datenschutz, dpo@client.example';
    doc.activities[0].transfers = ['Support vendor in the USA (EU-US Data Privacy Framework)'];
    doc.activities[0].retentionNote = 'backups roll over after 30 days';
    const put = await w.v.call('PUT', p, doc, dpoA);
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ source: 'edited', version: 1 });
    expect(put.json.retention.chat).toMatch(/180 days.*backups roll over/);
    expect((await w.v.call('PUT', p, { ...doc, activities: [] }, dpoA)).status).toBe(400);
    expect((await w.v.call('PUT', p, { ...doc, extra: 1 }, dpoA)).status).toBe(400);
    expect((await w.v.call('PUT', p, doc, soA)).status).toBe(403);

    const required = [
      'Record of processing activities',
      `Tenant ${A}`,
      'Dr. Datenschutz, dpo@client.example',
      'Purposes',
      'Legal basis',
      'Categories of personal data',
      'Categories of data subjects',
      'Recipients',
      'Transfers to third countries: Support vendor in the USA',
      'Time limits for erasure: deleted 180 days after the last activity',
      'Technical and organisational measures',
      'Processing activity: Call recording',
    ];
    const html = await w.v.call('GET', `${p}?format=html`, undefined, dpoA);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    for (const r of required) expect(htmlText(html.text)).toContain(r);
    const text = await pdf(`${p}?format=pdf`, dpoA);
    for (const r of required) expect(text).toContain(r);
    expect(await auditCount(w, w.a, 'ropa.update')).toBe(1);
  });

  it('renders the client security report with live evidence in HTML and PDF', async () => {
    const p = `/api/v1/tenants/${A}/compliance/security-report`;
    const j = await w.v.call('GET', p, undefined, soA);
    expect(j.status).toBe(200);
    expect(j.json.audit.chainVerified).toBe(true);
    expect(j.json.authentication.mfaCoveragePercent).toBe(100);
    expect(j.json.authentication.activeMembers).toBeGreaterThanOrEqual(5);
    expect(j.json.encryption.tenantKeyVersion).toBe(1);
    expect(j.json.access.distinctStaff).toBeGreaterThanOrEqual(1);
    const required = [
      'Security report',
      `Client: Tenant ${A}`,
      'ISO 27001 Annex A',
      'SOC 2 TSC',
      'A.8.24',
      'CC6.1',
      'Multi-factor authentication for all staff',
      'Audit chain verification: verified',
      'Latest checkpoint',
      'Access statistics (last 30 days)',
      'Access reviews',
      'Incidents and breaches',
      'Security awareness training',
    ];
    const html = await w.v.call('GET', `${p}?format=html`, undefined, soA);
    expect(html.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    for (const r of required) expect(htmlText(html.text)).toContain(r);
    const text = await pdf(`${p}?format=pdf`, soA);
    for (const r of required) expect(text).toContain(r);
    expect(await auditCount(w, w.a, 'security_report.generate')).toBe(3);
    expect((await w.v.call('GET', p, undefined, w.s.agentA1)).status).toBe(403);
  });
});
