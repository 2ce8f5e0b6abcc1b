// Breach register: the 72-hour clock with warnings, a late notification needs reasons, evidence
// and monitoring alerts are linked, and the draft notification renders to HTML and PDF with the
// Art. 33(3) content.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breachClock } from '../../src/compliance/breaches.ts';
import { auditCount, slugs, startWorld, type World } from '../conversations/fixture.ts';
import type { Session } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { pdfText } from './pdf.ts';

const H = 3_600_000;

describe(`breach register (${testDbKind})`, () => {
  let w: World;
  let A: string;
  let dpoA: Session;
  let soA: Session;
  const p = () => `/api/v1/tenants/${A}/compliance/breaches`;

  beforeAll(async () => {
    w = await startWorld();
    ({ slugA: A } = slugs(w));
    dpoA = await w.v.login(await w.v.makeUser([{ role: 'dpo', tenant: A }]));
    soA = await w.v.login(await w.v.makeUser([{ role: 'security_officer', tenant: A }]));
  });
  afterAll(() => w.v.close());

  it('computes the 72-hour clock', () => {
    const now = new Date('2026-01-10T12:00:00Z');
    const at = (h: number) => new Date(now.getTime() - h * H).toISOString();
    expect(breachClock({ aware_at: at(10), authority_notified_at: null, risk: 'risk' }, now).state).toBe(
      'open',
    );
    expect(breachClock({ aware_at: at(50), authority_notified_at: null, risk: 'risk' }, now)).toMatchObject({
      state: 'warning',
      hoursLeft: 22,
    });
    expect(breachClock({ aware_at: at(80), authority_notified_at: null, risk: 'high_risk' }, now).state).toBe(
      'overdue',
    );
    expect(breachClock({ aware_at: at(80), authority_notified_at: null, risk: 'unlikely' }, now).state).toBe(
      'not_required',
    );
    expect(breachClock({ aware_at: at(80), authority_notified_at: at(10), risk: 'risk' }, now).state).toBe(
      'met',
    );
    expect(breachClock({ aware_at: at(80), authority_notified_at: at(1), risk: 'risk' }, now).state).toBe(
      'late',
    );
  });

  it('records, assesses, links an alert, notifies and drafts the notification (HTML, PDF, JSON)', async () => {
    const alertId = randomUUID();
    await w.v.core.db.withTenant(w.a, (tx) =>
      tx.execute(sql`insert into monitoring_alerts (id, tenant_id, rule_id, severity, action, subject_type, subject_id, observed, threshold,
        window_seconds, first_seen_at, last_seen_at, dedupe_until) values (${alertId}, ${w.a}, 'mass_export', 'high', 'alert', 'user',
        ${randomUUID()}, 500, 100, 300, now(), now(), now())`),
    );
    const detected = new Date(Date.now() - 60 * H).toISOString();
    const c = await w.v.call(
      'POST',
      p(),
      {
        title: 'Mass export by an agent account',
        detectedAt: detected,
        awareAt: detected,
        alertIds: [alertId],
      },
      dpoA,
    );
    expect(c.status).toBe(201);
    expect(c.json.clock.state).toBe('warning');
    expect(c.json.clock.hoursLeft).toBeGreaterThan(11);
    expect(c.json.clock.hoursLeft).toBeLessThanOrEqual(12);
    const list = await w.v.call('GET', p(), undefined, soA);
    expect(list.status).toBe(200);
    expect(list.json.warnings).toBe(1);
    // Security officers read, but do not edit.
    expect((await w.v.call('PATCH', `${p()}/${c.json.id}`, { risk: 'risk' }, soA)).status).toBe(403);

    const u = await w.v.call(
      'PATCH',
      `${p()}/${c.json.id}`,
      {
        nature: 'Customer profiles were exported outside working hours',
        dataCategories: ['contact data', 'order history'],
        subjectCategories: ['end customers'],
        approxSubjects: 1200,
        approxRecords: 5400,
        consequences: 'Possible phishing against affected customers',
        measures: 'Account suspended, sessions revoked, export limits lowered',
        dpoContact: 'dpo@provider.example, +49 30 555 0100',
        risk: 'high_risk',
        status: 'assessed',
      },
      dpoA,
    );
    expect(u.status).toBe(200);
    expect(u.json.subjectNotificationRequired).toBe(true);
    const ev = await w.v.call(
      'POST',
      `${p()}/${c.json.id}/evidence`,
      { kind: 'document', ref: 'ticket:SEC-4711', note: 'forensics' },
      dpoA,
    );
    expect(ev.json.evidence).toHaveLength(1);

    const n = await w.v.call('POST', `${p()}/${c.json.id}/notify`, { who: 'authority' }, dpoA);
    expect(n.status).toBe(200);
    expect(n.json.status).toBe('notified');
    expect(n.json.clock.state).toBe('met');
    expect((await w.v.call('POST', `${p()}/${c.json.id}/notify`, { who: 'authority' }, dpoA)).status).toBe(
      409,
    );

    const required = [
      'Notification of a personal data breach',
      `Tenant ${A}`,
      'dpo@provider.example',
      'Approximate number of data subjects: 1200',
      'Approximate number of records: 5400',
      'contact data, order history',
      'Possible phishing against affected customers',
      'Account suspended, sessions revoked',
      'Notification due by (72 hours)',
      alertId,
      'ticket:SEC-4711',
    ];
    const html = await w.v.call('GET', `${p()}/${c.json.id}/notification?format=html`, undefined, dpoA);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    const htmlText = html.text.replace(/<\/th><td>/g, ': ').replace(/<[^>]+>/g, ' ');
    for (const r of required) expect(htmlText).toContain(r);
    const pdf = await fetch(`${w.v.url}${p()}/${c.json.id}/notification?format=pdf`, {
      headers: { cookie: dpoA.cookie, 'user-agent': dpoA.userAgent },
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = pdfText(Buffer.from(await pdf.arrayBuffer()));
    for (const r of required) expect(text).toContain(r);
    const json = await w.v.call('GET', `${p()}/${c.json.id}/notification`, undefined, dpoA);
    expect(json.json.breach.id).toBe(c.json.id);
    expect(await auditCount(w, w.a, 'breach.notify.authority', c.json.id)).toBe(1);
  });

  it('a late notification needs the reasons for the delay; bad input is refused', async () => {
    const detected = new Date(Date.now() - 100 * H).toISOString();
    const c = await w.v.call(
      'POST',
      p(),
      { title: 'Lost laptop', detectedAt: detected, awareAt: detected },
      dpoA,
    );
    expect(c.json.clock.state).toBe('overdue');
    const n = await w.v.call('POST', `${p()}/${c.json.id}/notify`, { who: 'authority' }, dpoA);
    expect(n.status).toBe(422);
    await w.v.call(
      'PATCH',
      `${p()}/${c.json.id}`,
      { delayReason: 'The device was reported lost only on day four' },
      dpoA,
    );
    const n2 = await w.v.call('POST', `${p()}/${c.json.id}/notify`, { who: 'authority' }, dpoA);
    expect(n2.status).toBe(200);
    expect(n2.json.clock.state).toBe('late');
    expect((await w.v.call('POST', p(), { title: 'x', detectedAt: 'yesterday' }, dpoA)).status).toBe(400);
    expect(
      (
        await w.v.call(
          'POST',
          p(),
          { title: 'Unknown alert', detectedAt: detected, alertIds: [randomUUID()] },
          dpoA,
        )
      ).status,
    ).toBe(400);
    expect((await w.v.call('GET', p(), undefined, w.s.agentA1)).status).toBe(403);
  });
});
