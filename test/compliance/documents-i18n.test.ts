// Every generated compliance and governance document in French and German, through the real
// routes: the headings of the asked language are there, none of the English ones is left, the
// HTML says its language, and the PDF variant parses and carries the accented headings.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BREACH_TEXT } from '../../src/compliance/breach-text.ts';
import { ROPA_TEXT } from '../../src/compliance/ropa-text.ts';
import { SECURITY_REPORT_TEXT } from '../../src/compliance/security-report-text.ts';
import { GOVERNANCE_DOC_TEXT } from '../../src/governance/doc-text.ts';
import { type DocLocale, toWinAnsi } from '../../src/platform/documents.ts';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { pdfText } from './pdf.ts';

const slug = `docs-i18n-${randomBytes(3).toString('hex')}`;
const risk = (kind: string) => ({
  kind,
  sources: 'compte agent compromis',
  likelihoodBefore: 3,
  severityBefore: 3,
  likelihoodAfter: 1,
  severityAfter: 2,
});

let v: TestVigil;
let dpo: Session;
const docs: Array<{ name: string; path: () => string; headings: (l: DocLocale) => string[] }> = [];
let breachId = '';
let dpiaId = '';

const textOf = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

beforeAll(async () => {
  v = await startTestVigil();
  await v.tenant(slug);
  dpo = await v.login(await v.makeUser([{ role: 'dpo', tenant: slug }]));
  const base = `/api/v1/tenants/${slug}`;
  const now = new Date().toISOString();
  const b = await v.call(
    'POST',
    `${base}/compliance/breaches`,
    { title: 'Export massif', detectedAt: now, awareAt: now },
    dpo,
  );
  expect(b.status).toBe(201);
  breachId = b.json.id;
  const d = await v.call(
    'POST',
    `${base}/governance/dpias`,
    {
      activityId: 'voice',
      content: {
        description: 'Service client par téléphone.',
        necessity: 'Seules les données nécessaires.',
        risks: [risk('illegitimate_access'), risk('unwanted_change'), risk('disappearance')],
        measures: ['second facteur', 'sécurité au niveau des lignes'],
        controls: ['mfa_enforced', 'rls'],
      },
    },
    dpo,
  );
  expect(d.status).toBe(201);
  dpiaId = d.json.id;
  const s = SECURITY_REPORT_TEXT;
  docs.push(
    {
      name: 'security report',
      path: () => `${base}/compliance/security-report`,
      headings: (l) => [s[l].title, ...Object.values(s[l].h)],
    },
    {
      name: 'Art. 30 record',
      path: () => `${base}/compliance/processing-record`,
      headings: (l) => [ROPA_TEXT[l].title, ...Object.values(ROPA_TEXT[l].h)],
    },
    {
      name: 'breach notification draft',
      path: () => `${base}/compliance/breaches/${breachId}/notification`,
      headings: (l) => [BREACH_TEXT[l].title, ...Object.values(BREACH_TEXT[l].h)],
    },
    {
      name: 'DPIA',
      path: () => `${base}/governance/dpias/${dpiaId}`,
      headings: (l) => [
        GOVERNANCE_DOC_TEXT[l].dpia.title('voice'),
        ...Object.values(GOVERNANCE_DOC_TEXT[l].dpia.h),
      ],
    },
    {
      name: 'Art. 28 agreement',
      path: () => `${base}/governance/dpa`,
      headings: (l) => [GOVERNANCE_DOC_TEXT[l].dpa.title, ...Object.values(GOVERNANCE_DOC_TEXT[l].dpa.h)],
    },
  );
}, 90_000);

afterAll(async () => {
  await v?.close();
});

const get = async (path: string, headers: Record<string, string> = {}) => {
  const r = await fetch(v.url + path, {
    headers: { cookie: dpo.cookie, 'user-agent': dpo.userAgent, ...headers },
  });
  return { status: r.status, type: r.headers.get('content-type'), body: Buffer.from(await r.arrayBuffer()) };
};

describe(`generated documents in French and German (${testDbKind})`, () => {
  it('renders each document in fr and de with no English heading left (HTML)', async () => {
    for (const d of docs) {
      const en = d.headings('en');
      for (const l of ['fr', 'de'] as const) {
        const r = await get(`${d.path()}?format=html&lang=${l}`);
        expect(r.status, `${d.name} ${l}`).toBe(200);
        const html = r.body.toString('utf8');
        expect(html).toContain(`<html lang="${l}">`);
        const text = textOf(html);
        for (const h of d.headings(l)) expect(text, `${d.name} ${l}`).toContain(h);
        for (const h of en) expect(text, `${d.name} ${l}: English "${h}"`).not.toContain(h);
        expect(text).toContain(l === 'fr' ? 'Généré le' : 'Erstellt');
        expect(text).not.toContain('Generated');
      }
    }
  });

  it('renders each document as a PDF that parses, with French and German letters kept', async () => {
    for (const d of docs) {
      for (const l of ['fr', 'de'] as const) {
        const r = await get(`${d.path()}?format=pdf&lang=${l}`);
        expect(r.status, `${d.name} ${l}`).toBe(200);
        expect(r.type).toBe('application/pdf');
        // Long headings wrap onto the next line: compare with the lines joined.
        const text = pdfText(r.body).replace(/\n/g, ' ');
        for (const h of d.headings(l)) expect(text, `${d.name} ${l}`).toContain(toWinAnsi(h));
        for (const h of d.headings('en')) expect(text, `${d.name} ${l}`).not.toContain(toWinAnsi(h));
      }
    }
    // The accented letters survive the PDF font (WinAnsi), not replaced by '?'.
    const de = pdfText((await get(`${docs[0]!.path()}?format=pdf&lang=de`)).body);
    expect(de).toContain('Prüfprotokoll');
    expect(de).toContain('Überprüfungen');
    expect(de).toContain('Maßnahmen');
    // The report's figures carry translated labels, not the JSON field names.
    expect(de).toContain('Alter des Mandantenschlüssels (Tage)');
    expect(de).not.toContain('tenantKeyAgeDays');
    const frReport = pdfText((await get(`${docs[0]!.path()}?format=pdf&lang=fr`)).body);
    expect(frReport).toContain('Couverture MFA (%)');
    expect(frReport).not.toContain('mfaCoveragePercent');
    const fr = pdfText((await get(`${docs[2]!.path()}?format=pdf&lang=fr`)).body);
    expect(fr).toContain('Éléments de preuve');
    expect(fr).toContain('Conséquences probables');
    expect(fr).toContain('Chronologie');
    const frDpia = pdfText((await get(`${docs[3]!.path()}?format=pdf&lang=fr`)).body);
    expect(frDpia).toContain('Nécessité et proportionnalité');
    expect(frDpia).toContain('Service client par téléphone.');
  });

  it('takes the language from Accept-Language without ?lang=, English otherwise; refuses others', async () => {
    const p = docs[1]!.path();
    const fr = textOf(
      (await get(`${p}?format=html`, { 'accept-language': 'fr-CH, de;q=0.8, en;q=0.5' })).body.toString(),
    );
    expect(fr).toContain(ROPA_TEXT.fr.title);
    const de = textOf(
      (await get(`${p}?format=html`, { 'accept-language': 'es, de;q=0.9, fr;q=0.2' })).body.toString(),
    );
    expect(de).toContain(ROPA_TEXT.de.title);
    const en = textOf((await get(`${p}?format=html`, { 'accept-language': 'es, it' })).body.toString());
    expect(en).toContain(ROPA_TEXT.en.title);
    // ?lang= wins over the header.
    const q = textOf((await get(`${p}?format=html&lang=de`, { 'accept-language': 'fr' })).body.toString());
    expect(q).toContain(ROPA_TEXT.de.title);
    const bad = await get(`${p}?format=html&lang=es`);
    expect(bad.status).toBe(400);
    // JSON stays data: the language does not change it.
    const j1 = JSON.parse((await get(`${p}?lang=fr`)).body.toString());
    const j2 = JSON.parse((await get(p)).body.toString());
    expect(j1.document).toEqual(j2.document);
  });
});
