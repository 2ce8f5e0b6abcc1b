// A phishing simulation end to end over real sockets: 20 agents get the mail through the SMTP
// relay sink, opens/clicks/a submit arrive over HTTP, reports come through the console and the
// phish-report SMTP address, a real phishing mail opens an alert with its source encrypted, a
// clicker gets a refresher, and what was typed into the landing page is nowhere in the database
// or the logs. Supervisors see aggregates only; another tenant's security officer sees nothing.
import { sql } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import { testDbKind } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';
import { type AwarenessWorld, METRICS_TOKEN, REFRESHER, startAwarenessWorld, TEAM_SIZES } from './world.ts';

const TYPED = 'Typed-Secret-7f3a9c';
const tokenOf = (m: ParsedMail) => /\/phish\/c\/([A-Za-z0-9_-]{64})/.exec(m.text ?? '')?.[1];

describe(`phishing simulation (${testDbKind})`, () => {
  let w: AwarenessWorld;
  let campaignId: string;
  const mailTo = new Map<string, ParsedMail>();
  const api = (p: string) => `/api/v1/tenants/${w.slug}/awareness${p}`;

  beforeAll(async () => {
    w = await startAwarenessWorld('phish');
    const r = await w.v.call('POST', api('/modules'), REFRESHER, w.officer);
    expect(r.status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    await w?.close();
  });

  it('refuses campaigns to everyone but the security role, and validates input', async () => {
    const agent = await w.session(w.agents[0]!);
    const body = {
      name: 'x',
      template: 'parcel',
      targetRoles: ['agent'],
      windowStart: new Date().toISOString(),
      windowEnd: new Date().toISOString(),
    };
    expect((await w.v.call('POST', api('/campaigns'), body, agent)).status).toBe(403);
    expect((await w.v.call('POST', api('/campaigns'), body, w.supervisor)).status).toBe(403);
    const bad = await w.v.call('POST', api('/campaigns'), { ...body, template: 'nope' }, w.officer);
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_input');
  });

  it('sends one mail per agent over the relay, spread over the window', async () => {
    const now = Date.now();
    const c = await w.v.call(
      'POST',
      api('/campaigns'),
      {
        name: 'Parcel Q4',
        template: 'parcel',
        language: 'en',
        targetRoles: ['agent'],
        windowStart: new Date(now).toISOString(),
        windowEnd: new Date(now + 3000).toISOString(),
      },
      w.officer,
    );
    expect(c.status).toBe(201);
    campaignId = c.json.id;
    const launched = await w.v.call('POST', api(`/campaigns/${campaignId}/launch`), {}, w.officer);
    expect(launched.status).toBe(200);
    expect(launched.json.recipients).toBe(20);
    expect(
      (await w.v.call('POST', api(`/campaigns/${campaignId}/launch`), {}, w.officer)).json.error.code,
    ).toBe('campaign_not_draft');
    const emails = new Set(w.agents.map((a) => a.email.toLowerCase()));
    await waitFor('20 simulated mails', () => w.g.mail.filter((m) => emails.has(to(m))).length === 20);
    for (const m of w.g.mail) if (emails.has(to(m))) mailTo.set(to(m), m);
    const m = mailTo.get(w.agents[0]!.email.toLowerCase())!;
    expect(m.subject).toBe('Your parcel could not be delivered');
    expect(m.html).toMatch(/\/phish\/o\/[A-Za-z0-9_-]{64}/);
    // Each recipient has their own token.
    expect(new Set([...mailTo.values()].map(tokenOf)).size).toBe(20);
  });

  const to = (m: ParsedMail) => (Array.isArray(m.to) ? m.to[0] : m.to)!.value[0]!.address!.toLowerCase();
  const tokenFor = (i: number) => tokenOf(mailTo.get(w.agents[i]!.email.toLowerCase())!)!;

  it('records opens, clicks and a submit over HTTP, keeping nothing that was typed', async () => {
    const pixel = await fetch(`${w.v.url}/phish/o/${tokenFor(0)}`);
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    const page = await fetch(`${w.v.url}/phish/c/${tokenFor(0)}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await page.text()).toContain(`action="/phish/s/${tokenFor(0)}"`);
    const lesson = await fetch(`${w.v.url}/phish/s/${tokenFor(0)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `user=someone&secret=${TYPED}`,
    });
    expect(lesson.status).toBe(200);
    const text = await lesson.text();
    expect(text).toContain('phishing simulation');
    expect(text).toContain('The sender domain does not belong to any carrier.');
    expect((await fetch(`${w.v.url}/phish/c/${tokenFor(1)}`)).status).toBe(200);
    // A forged token is refused without a trace.
    const forged = `${tokenFor(2).slice(0, 60)}AAAA`;
    expect((await fetch(`${w.v.url}/phish/c/${forged}`)).status).toBe(404);
  });

  it('counts a report through the console and one over SMTP as successes', async () => {
    const agent2 = await w.session(w.agents[2]!);
    const m2 = mailTo.get(w.agents[2]!.email.toLowerCase())!;
    const r = await w.v.call(
      'POST',
      api('/reports'),
      { source: `Subject: ${m2.subject}\n\n${m2.text}` },
      agent2,
    );
    expect(r.status).toBe(201);
    expect(r.json.verdict).toBe('simulation');
    const m3 = mailTo.get(w.agents[3]!.email.toLowerCase())!;
    const relay = nodemailer.createTransport({
      host: '127.0.0.1',
      port: w.v.smtpPort!,
      secure: false,
      ignoreTLS: true,
    });
    await relay.sendMail({
      from: w.agents[3]!.email,
      to: `phish-report+${w.slug}@vigil.local`,
      subject: `Fwd: ${m3.subject}`,
      text: `Looks fishy.\n\n${m3.text}`,
      html: m3.html || undefined,
    });
    // Outsiders cannot use the address.
    await expect(
      relay.sendMail({
        from: 'someone@outside.test',
        to: `phish-report+${w.slug}@vigil.local`,
        subject: 'x',
        text: 'x',
      }),
    ).rejects.toThrow(/550/);
  });

  it('opens a security alert for a real phishing mail, kept encrypted, readable by the security role', async () => {
    const agent4 = await w.session(w.agents[4]!);
    const source =
      'From: "Bank" <alerts@bank-secure.example>\nSubject: Verify now\n\nVerify-Real-Phish-91 at http://bank-secure.example/login';
    const r = await w.v.call('POST', api('/reports'), { source }, agent4);
    expect(r.json.verdict).toBe('suspicious');
    const alerts = await waitFor('phishing alert', async () => {
      const a = await w.v.call(
        'GET',
        `/api/v1/tenants/${w.slug}/alerts?ruleId=phishing_reported`,
        undefined,
        w.officer,
      );
      return a.json.items?.length >= 1 && a.json.items;
    });
    expect(alerts[0].severity).toBe('high');
    const list = await w.v.call('GET', api('/reports'), undefined, w.officer);
    expect(list.json.reports.find((x: { id: string }) => x.id === r.json.reportId).verdict).toBe(
      'suspicious',
    );
    expect((await w.v.call('GET', api('/reports'), undefined, agent4)).status).toBe(403);
    const mail = await w.v.call('GET', api(`/reports/${r.json.reportId}/mail`), undefined, w.officer);
    expect(mail.text).toBe(source);
    const [stored] = await w.v.core.db.withTenant(w.tenantId, (tx) =>
      rows<{ mail_enc: Buffer }>(tx, sql`select mail_enc from phish_reports where id = ${r.json.reportId}`),
    );
    expect(Buffer.from(stored!.mail_enc).toString('latin1')).not.toContain('Verify-Real-Phish-91');
  });

  it('assigns the refresher to the clickers, with a due date', async () => {
    for (const i of [0, 1]) {
      const me = await w.v.call('GET', api('/me'), undefined, await w.session(w.agents[i]!));
      expect(me.json.assignments).toHaveLength(1);
      expect(new Date(me.json.assignments[0].dueAt).getTime()).toBeGreaterThan(Date.now());
      expect(me.json.simulations[0].events.clicked).toBeTruthy();
    }
    const me5 = await w.v.call('GET', api('/me'), undefined, await w.session(w.agents[5]!));
    expect(me5.json.assignments).toHaveLength(0);
  });

  it('shows the security officer individual results and supervisors aggregates only', async () => {
    const res = await waitFor('smtp report counted', async () => {
      const r = await w.v.call('GET', api(`/campaigns/${campaignId}/results`), undefined, w.officer);
      return r.json.figures?.reported === 2 && r.json;
    });
    expect(res.figures).toMatchObject({
      recipients: 20,
      sent: 20,
      clicked: 2,
      submitted: 1,
      reported: 2,
      clickRate: 0.1,
    });
    expect(res.figures.secondsToFirstReport).toBeGreaterThanOrEqual(0);
    expect(res.recipients).toHaveLength(20);
    expect(
      (await w.v.call('GET', api(`/campaigns/${campaignId}/results`), undefined, w.supervisor)).status,
    ).toBe(403);
    const m = await w.v.call('GET', api('/measures'), undefined, w.supervisor);
    expect(m.status).toBe(200);
    const c = m.json.campaigns.find((x: { campaignId: string }) => x.campaignId === campaignId);
    expect(c.tenant.clicked).toBe(2);
    const small = c.teams.find((t: { team: string }) => t.team === w.teams[2]);
    expect(small).toEqual({ team: w.teams[2], suppressed: true, minGroup: 5 });
    expect(c.teams.find((t: { team: string }) => t.team === w.teams[0]).recipients).toBe(TEAM_SIZES[0]);
    for (const a of w.agents) expect(m.text).not.toContain(a.id);
    // The client security report cites the campaign's figures (A.6.3 evidence), in aggregate.
    const report = await w.v.call(
      'GET',
      `/api/v1/tenants/${w.slug}/compliance/security-report`,
      undefined,
      w.officer,
    );
    expect(report.status).toBe(200);
    expect(report.json.phishing.campaigns[0]).toMatchObject({
      name: 'Parcel Q4',
      sent: 20,
      clicked: 2,
      reported: 2,
    });
    expect(report.json.phishing.reportsLastYear).toEqual({ simulation: 2, suspicious: 1 });
    expect(report.json.phishing.refreshers.assigned).toBe(2);
    for (const a of w.agents) expect(report.text).not.toContain(a.id);
    // Metrics count the simulation's events by action (no people in labels).
    const metrics = await w.v.call('GET', '/metrics', undefined, null, {
      authorization: `Bearer ${METRICS_TOKEN}`,
    });
    expect(metrics.text).toMatch(
      /vigil_audit_events_total\{action="awareness.simulation.clicked",outcome="success"\} 2/,
    );
    expect(metrics.text).toMatch(
      /vigil_audit_events_total\{action="awareness.simulation.sent",outcome="success"\} 20/,
    );
  });

  it("keeps tenants apart: another tenant's security officer sees nothing", async () => {
    expect((await w.v.call('GET', api('/campaigns'), undefined, w.otherOfficer)).status).toBe(404);
    expect(
      (await w.v.call('GET', api(`/campaigns/${campaignId}/results`), undefined, w.otherOfficer)).status,
    ).toBe(404);
    const own = await w.v.call(
      'GET',
      `/api/v1/tenants/${w.otherSlug}/awareness/campaigns`,
      undefined,
      w.otherOfficer,
    );
    expect(own.json.campaigns).toEqual([]);
    const other = await w.v.call(
      'GET',
      `/api/v1/tenants/${w.otherSlug}/awareness/campaigns/${campaignId}/results`,
      undefined,
      w.otherOfficer,
    );
    expect(other.status).toBe(404);
  });

  it('has what was typed nowhere in the database or the logs', async () => {
    const tables = await w.v.core.db.withOwner((tx) =>
      rows<{ table_name: string }>(
        tx,
        sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
      ),
    );
    for (const t of tables) {
      const hit = await w.v.core.db.withOwner((tx) =>
        rows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from ${sql.identifier(t.table_name)} x where row_to_json(x)::text like ${`%${TYPED}%`}`,
        ),
      );
      expect(hit[0]!.n, t.table_name).toBe(0);
    }
    expect(w.v.logs.join('\n')).not.toContain(TYPED);
  });
});
