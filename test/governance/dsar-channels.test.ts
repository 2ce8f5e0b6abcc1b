// The DSAR intake's other ways in and out, over real sockets: a request mailed to the tenant's
// privacy mailbox on Vigil's own SMTP server (nodemailer → smtp-server), codes by SMS through the
// signed webhook gateway (a local HTTP receiver), a lockout after five wrong codes that a resend
// does not lift, an objection that enters the DPO's register as a restriction, and status mails
// to the requester from the reminder job, with nothing personal in them.
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickLocale } from '../../src/governance/dsar-mail.ts';
import { requestTypeOf } from '../../src/governance/dsar-mailbox.ts';
import { testDbKind } from '../helpers/db.ts';
import { waitFor } from '../verification/world.ts';
import { codeIn, type DsarWorld, startDsarWorld } from './dsar-world.ts';

let w: DsarWorld;
let v: DsarWorld['v'];
let g: DsarWorld['g'];
let dpo: DsarWorld['dpo'];
let customerId = '';
let suffix = '';
let slug = '';
let address = '';
let phone = '';
let pub = '';
let staff = '';
let erasureToken = '';

beforeAll(async () => {
  w = await startDsarWorld('gov-ch', { name: 'Erika Muster', local: 'kundin' });
  ({ v, g, dpo, customerId, suffix, slug, address, phone, pub, staff } = w);
}, 60_000);

afterAll(async () => {
  await w?.close();
});

const mailsTo = (to: string) => w.mailsTo(to);
const waitMails = (to: string, n: number) => w.waitMails(to, n);
const file = (body: Record<string, unknown>) => w.file(body);

const smtp = () =>
  nodemailer.createTransport({ host: '127.0.0.1', port: v.smtpPort!, secure: false, ignoreTLS: true });

describe(`privacy mailbox over SMTP (${testDbKind})`, () => {
  it('a mail to privacy+<slug>@ opens an intake like the form: receipt with the link, code, verify', async () => {
    const info = await smtp().sendMail({
      from: `Erika Muster <${address}>`,
      to: `privacy+${slug}@vigil.local`,
      subject: 'Bitte um Löschung meiner Daten',
      text: 'Bitte löschen Sie alles über mich.',
    });
    expect(info.response).toMatch(/^250/);
    const mails = await waitMails(address, 2);
    const receipt = mails.find((m) => /status/i.test(m.text ?? '') && !codeIn(m.text))!;
    const code = codeIn(mails.find((m) => codeIn(m.text))!.text)!;
    // The token travels only in the fragment of the status link; the receipt names no data.
    const link = /(http:\/\/\S+\/privacy\/\S+)/.exec(receipt.text ?? '')![1]!;
    const u = new URL(link);
    expect(u.pathname).toBe(`/privacy/${slug}/status`);
    expect([...u.searchParams.keys()]).toEqual(['lang']);
    const token = u.hash.slice(1);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    erasureToken = token;
    expect(receipt.text).not.toContain('Erika');
    const st = await v.call('POST', `${pub}/status`, { token });
    expect(st.json).toMatchObject({ type: 'erasure', state: 'unverified' });
    const ok = await v.call('POST', `${pub}/verify`, { token, code });
    expect(ok.status).toBe(200);
    const reqs = await v.call('GET', `/api/v1/tenants/${slug}/privacy/requests`, undefined, dpo);
    expect(
      reqs.json.items.find((i: { customerId: string; type: string }) => i.type === 'erasure'),
    ).toMatchObject({ customerId, state: 'received', identityCheck: { method: 'email_confirmation' } });
    const list = await v.call('GET', staff, undefined, dpo);
    expect(list.json.items.find((i: { type: string }) => i.type === 'erasure')).toMatchObject({
      source: 'mail',
      state: 'verified',
    });
  });

  it('answers an unknown sender alike (250, receipt) but sends no code; ignores automatic mail', async () => {
    const stranger = `stranger-${suffix}@example.test`;
    const r = await smtp().sendMail({
      from: stranger,
      to: `privacy+${slug}@vigil.local`,
      subject: 'Auskunft',
    });
    expect(r.response).toMatch(/^250/);
    const [receipt] = await waitMails(stranger, 1);
    expect(receipt!.text).toContain(`/privacy/${slug}/status`);
    const bot = `bot-${suffix}@example.test`;
    await smtp().sendMail({
      from: bot,
      to: `privacy+${slug}@vigil.local`,
      subject: 'Out of office',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    await new Promise((res) => setTimeout(res, 700));
    expect(mailsTo(stranger).length).toBe(1);
    expect(mailsTo(bot).length).toBe(0);
    await expect(
      smtp().sendMail({ from: stranger, to: `privacy+no-such-${suffix}@vigil.local`, subject: 'x' }),
    ).rejects.toThrow(/550/);
  });
});

describe(`phone codes and the lockout (${testDbKind})`, () => {
  it('sends the code by signed SMS to the phone on file; an unknown phone gets the same answers', async () => {
    const known = await file({ email: address, verifyBy: 'sms', phone });
    const unknown = await file({ email: address, verifyBy: 'sms', phone: '+49 170 000 0000' });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(Object.keys(unknown.json)).toEqual(Object.keys(known.json));
    const sms = await waitFor(async () => g.sms.find((s) => s.to === phone));
    expect(sms.signatureOk).toBe(true);
    expect(g.sms.filter((s) => s.to.includes('000 0000'))).toEqual([]);
    const code = codeIn(sms.text)!;
    const wrong = code === '000000' ? '111111' : '000000';
    const a = await v.call('POST', `${pub}/verify`, { token: known.json.statusToken, code: wrong });
    const b = await v.call('POST', `${pub}/verify`, { token: unknown.json.statusToken, code: wrong });
    expect([a.status, b.status]).toEqual([400, 400]);
    expect(a.json.error.code).toBe('dsar_code_invalid');
    expect(b.json.error).toEqual(a.json.error);
    const ok = await v.call('POST', `${pub}/verify`, { token: known.json.statusToken, code });
    expect(ok.json.state).toBe('verified');
    const reqs = await v.call('GET', `/api/v1/tenants/${slug}/privacy/requests`, undefined, dpo);
    expect(
      reqs.json.items.filter(
        (i: { identityCheck: { method: string } }) => i.identityCheck.method === 'sms_confirmation',
      ),
    ).toHaveLength(1);
  });

  it('locks after five wrong codes: the right code then fails alike, a resend does not unlock', async () => {
    const before = g.sms.length;
    const r = await file({ email: address, verifyBy: 'sms', phone });
    const token = r.json.statusToken;
    const sms = await waitFor(async () => (g.sms.length > before ? g.sms[g.sms.length - 1] : null));
    const code = codeIn(sms.text)!;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++)
      expect((await v.call('POST', `${pub}/verify`, { token, code: wrong })).json.error.code).toBe(
        'dsar_code_invalid',
      );
    const right = await v.call('POST', `${pub}/verify`, { token, code });
    expect(right.status).toBe(400);
    expect(right.json.error.code).toBe('dsar_code_invalid');
    const resend = await v.call('POST', `${pub}/code`, { token });
    expect(resend.json).toEqual({ ok: true });
    await new Promise((res) => setTimeout(res, 300));
    expect(g.sms.length).toBe(before + 1);
    expect((await v.call('POST', `${pub}/status`, { token })).json.state).toBe('unverified');
    const list = await v.call('GET', staff, undefined, dpo);
    expect(list.json.items.filter((i: { locked: boolean }) => i.locked)).toHaveLength(1);
  });
});

describe(`objection and status mails (${testDbKind})`, () => {
  it('an objection becomes a restriction for the DPO; the requester hears of each change', async () => {
    const grounds = `Ich widerspreche der Werbung, Zeichen ${suffix}`;
    const n = mailsTo(address).length;
    const r = await file({ email: address, type: 'objection', details: grounds, locale: 'de' });
    const token = r.json.statusToken;
    const mails = await waitMails(address, n + 1);
    const code = codeIn(mails[mails.length - 1]!.text)!;
    expect((await v.call('POST', `${pub}/verify`, { token, code })).json.state).toBe('verified');
    const list = await v.call('GET', staff, undefined, dpo);
    const item = list.json.items.find((i: { type: string }) => i.type === 'objection');
    expect(item).toMatchObject({ hasDetails: true, state: 'verified' });
    expect(list.text).not.toContain(grounds);
    const d = await v.call('GET', `${staff}/${item.id}/details`, undefined, dpo);
    expect(d.json.details).toBe(grounds);
    const sr = (
      await v.call('GET', `/api/v1/tenants/${slug}/privacy/requests`, undefined, dpo)
    ).json.items.find((i: { id: string }) => i.id === item.subjectRequestId);
    expect(sr.type).toBe('restriction');

    const before = mailsTo(address).length;
    await v.governance!.remindDsarDeadlines();
    const after = await waitMails(address, before + 1);
    const confirmed = after.slice(before);
    // Every verified request heard once (the erasure, the SMS one, this objection).
    expect(confirmed.length).toBeGreaterThanOrEqual(1);
    for (const m of confirmed) {
      expect(m.text).not.toContain('Erika');
      expect(m.text).not.toContain(grounds);
      expect(m.text).not.toMatch(/[A-Za-z0-9_-]{43}/);
    }
    const count = mailsTo(address).length;
    await v.governance!.remindDsarDeadlines();
    await new Promise((res) => setTimeout(res, 300));
    expect(mailsTo(address).length).toBe(count);

    const restrict = await v.call(
      'POST',
      `/api/v1/tenants/${slug}/privacy/customers/${customerId}/restrict`,
      { requestId: item.subjectRequestId },
      dpo,
    );
    expect(restrict.status).toBe(200);
    expect((await v.call('POST', `${pub}/status`, { token })).json.state).toBe('in_effect');
    await v.governance!.remindDsarDeadlines();
    const [update] = (await waitMails(address, count + 1)).slice(count);
    expect(update!.subject).toBe('Ihre Datenschutzanfrage: neuer Stand');
    expect(update!.text).toContain('Die Verarbeitung Ihrer Daten ist eingeschränkt.');
    expect(update!.text).toContain('Widerspruch');
  });
});

describe(`public pages (${testDbKind})`, () => {
  it('serves the form in the browser language or ?lang, under its own CSP; 404 for no tenant', async () => {
    const de = await v.call('GET', `/privacy/${slug}`, undefined, null, {
      'accept-language': 'de-CH, en;q=0.5',
    });
    expect(de.status).toBe(200);
    expect(de.text).toContain('<html lang="de">');
    expect(de.text).toContain(`privacy+${slug}@vigil.local`);
    expect(de.text).toContain('value="sms"');
    const csp = de.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-/);
    expect(de.text).not.toMatch(/<script(?![^>]*\bsrc=)/);
    const fr = await v.call('GET', `/privacy/${slug}/status?lang=fr`, undefined, null, {
      'accept-language': 'de',
    });
    expect(fr.text).toContain('<html lang="fr">');
    expect((await v.call('GET', `/privacy/no-such-${suffix}`)).status).toBe(404);
    expect((await v.call('GET', `/privacy/${slug}?lang=xx`)).status).toBe(400);
    const js = await v.call('GET', '/privacy/assets/privacy.js');
    expect(js.headers.get('content-type')).toContain('javascript');
  });
});

describe(`the outcome of an erasure (${testDbKind})`, () => {
  it('the DPO erases on the subject request; the requester sees it completed and hears of it', async () => {
    const reqs = await v.call('GET', `/api/v1/tenants/${slug}/privacy/requests`, undefined, dpo);
    const sr = reqs.json.items.find((i: { type: string }) => i.type === 'erasure');
    const before = mailsTo(address).length;
    const erase = await v.call(
      'POST',
      `/api/v1/tenants/${slug}/privacy/customers/${customerId}/erase`,
      { requestId: sr.id },
      dpo,
    );
    expect(erase.status).toBe(200);
    const st = await v.call('POST', `${pub}/status`, { token: erasureToken });
    expect(st.json).toMatchObject({ type: 'erasure', state: 'completed' });
    await v.governance!.remindDsarDeadlines();
    const mails = (await waitMails(address, before + 1)).slice(before);
    expect(mails.map((m) => m.text?.split('\n')[0])).toContain('Your request has been completed.');
  });
});

describe('reading a mail and a browser', () => {
  it('names the kind of request from the subject in de/en/fr, access when nothing matches', () => {
    expect(
      [
        'Bitte um Löschung meiner Daten',
        'Right to erasure',
        "Demande d'effacement",
        'Berichtigung meiner Adresse',
        'Widerspruch gegen Werbung',
        'Opposition au traitement',
        'Einschränkung der Verarbeitung',
        'Auskunft nach Art. 15',
        'Hallo',
      ].map(requestTypeOf),
    ).toEqual([
      'erasure',
      'erasure',
      'erasure',
      'rectification',
      'objection',
      'objection',
      'restriction',
      'access',
      'access',
    ]);
  });

  it('picks the preferred language by quality, ?lang first, English otherwise', () => {
    expect(pickLocale('it, fr;q=0.4, de;q=0.8')).toBe('de');
    expect(pickLocale('de-CH, en;q=0.5', 'fr')).toBe('fr');
    expect(pickLocale('es, it')).toBe('en');
    expect(pickLocale(undefined)).toBe('en');
  });
});
