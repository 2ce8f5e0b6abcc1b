// Alert e-mails in each recipient's console language: a real alert (a burst of profile views)
// reaches a French security officer in French, a German DPO in German and a team address that is
// no member's in English, each through a real SMTP server.
import { randomBytes } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';

const slug = `alert-i18n-${randomBytes(3).toString('hex')}`;
const toText = (m: ParsedMail) => (m.to as { text: string }).text;

describe(`alert mails in the recipient's language (${testDbKind})`, () => {
  let v: TestVigil;
  let sink: SmtpSink;
  let fr: TestUser;
  let de: TestUser;
  let so: Session;

  beforeAll(async () => {
    sink = await startSmtpSink();
    v = await startTestVigil({ smtpRelayUrl: sink.url, alertRetryBaseSeconds: 1 });
    await v.tenant(slug);
    fr = await v.makeUser([{ role: 'security_officer', tenant: slug }]);
    de = await v.makeUser([{ role: 'dpo', tenant: slug }]);
    so = await v.login(fr);
    expect((await v.call('PUT', '/api/v1/me/locale', { locale: 'fr' }, so)).status).toBe(200);
    const dpo = await v.login(de);
    expect((await v.call('PUT', '/api/v1/me/locale', { locale: 'de' }, dpo)).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await v?.close();
    await sink?.close();
  });

  it('sends one mail per language: French, German, and English for a non-member address', async () => {
    const team = 'soc-team@client.test';
    const ch = await v.call(
      'POST',
      `/api/v1/tenants/${slug}/alert-channels`,
      { kind: 'email', to: [fr.email, de.email, team], minSeverity: 'medium' },
      so,
    );
    expect(ch.status).toBe(201);
    const rule = await v.call(
      'PUT',
      `/api/v1/tenants/${slug}/monitoring/rules/view_burst`,
      { threshold: 3, action: 'alert' },
      so,
    );
    expect(rule.status).toBe(200);
    const sup = await v.login(await v.makeUser([{ role: 'supervisor', tenant: slug }]));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (await v.call('POST', `/api/v1/tenants/${slug}/customers`, { name: `Client ${i}` }, sup)).json.id,
      );
    const agent = await v.login(await v.makeUser([{ role: 'agent', tenant: slug }]));
    for (const id of ids) await v.call('GET', `/api/v1/tenants/${slug}/customers/${id}`, undefined, agent);

    const mFr = await sink.next((m) => toText(m) === fr.email, 30_000);
    const mDe = await sink.next((m) => toText(m) === de.email, 30_000);
    const mEn = await sink.next((m) => toText(m) === team, 30_000);
    expect(mFr.subject).toBe('[Vigil élevée] Rafale de consultations de profils clients');
    expect(mFr.text).toMatch(
      /^Alerte [0-9a-f-]{36}\nRègle\u00a0: view_burst\nGravité\u00a0: élevée\nObservé\u00a0: \d+ \(seuil 3 en/,
    );
    expect(mFr.text).toContain('Réponse\u00a0: alert');
    expect(mFr.text).not.toMatch(/Severity|Observed|threshold/);
    expect(mDe.subject).toBe('[Vigil hoch] Häufung von Aufrufen von Kundenprofilen');
    expect(mDe.text).toMatch(
      /^Alarm [0-9a-f-]{36}\nRegel: view_burst\nSchweregrad: hoch\nBeobachtet: \d+ \(Schwelle 3 in/,
    );
    expect(mEn.subject).toBe('[Vigil high] Burst of customer profile views');
    expect(mEn.text).toMatch(/^Alert [0-9a-f-]{36}\nRule: view_burst\nSeverity: high\n/);
    // The same alert in all three, and no customer name in any.
    const id = mEn.text!.slice(6, 42);
    for (const m of [mFr, mDe]) expect(m.text).toContain(id);
    for (const m of [mFr, mDe, mEn]) expect(m.text).not.toMatch(/Client \d/);
  });
});
