// SAML 2.0 service provider: real assertions signed (xml-crypto) with a test IdP key whose
// certificate openssl makes; posted to the real ACS endpoint over HTTP.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignedXml } from 'xml-crypto';
import { freshTotp, type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';

const IDP = 'https://idp.example.test/saml';
const SP = 'https://vigil.example.test/sp';
const MFA = 'http://schemas.microsoft.com/claims/multipleauthn';
const PASSWORD = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
const UA = 'saml-browser';

function keyPair(dir: string, name: string) {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      join(dir, `${name}.key`),
      '-out',
      join(dir, `${name}.crt`),
    ],
    { stdio: 'ignore' },
  );
  return {
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
    cert: readFileSync(join(dir, `${name}.crt`), 'utf8'),
  };
}

interface AssertionOpts {
  email: string;
  acs: string;
  inResponseTo?: string;
  audience?: string;
  recipient?: string;
  classRef?: string;
  notOnOrAfter?: Date;
  assertionId?: string;
}

function responseXml(o: AssertionOpts): string {
  const now = new Date();
  const until = (o.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000)).toISOString();
  const before = new Date(now.getTime() - 60_000).toISOString();
  const irt = o.inResponseTo ? ` InResponseTo="${o.inResponseTo}"` : '';
  return `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomUUID()}" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${o.acs}"${irt}><saml:Issuer>${IDP}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="${o.assertionId ?? `_a${randomUUID()}`}" Version="2.0" IssueInstant="${now.toISOString()}"><saml:Issuer>${IDP}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${o.email}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${irt} NotOnOrAfter="${until}" Recipient="${o.recipient ?? o.acs}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${before}" NotOnOrAfter="${until}"><saml:AudienceRestriction><saml:Audience>${o.audience ?? SP}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="_s1"><saml:AuthnContext><saml:AuthnContextClassRef>${o.classRef ?? MFA}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement></saml:Assertion></samlp:Response>`;
}

function sign(xml: string, k: { key: string; cert: string }): string {
  const sig = new SignedXml({
    privateKey: k.key,
    publicCert: k.cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, {
    location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' },
  });
  return sig.getSignedXml();
}

describe('SAML 2.0 service provider', () => {
  let v: TestVigil;
  let idpKey: { key: string; cert: string };
  let otherKey: { key: string; cert: string };
  let admin: Session;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-saml-'));
    idpKey = keyPair(dir, 'idp');
    otherKey = keyPair(dir, 'attacker');
    v = await startTestVigil();
    await v.tenant('saml-a');
    admin = await v.login(await v.makeUser([{ role: 'platform_admin' }]));
    for (const [slug, allowIdpInitiated] of [
      ['saml-corp', false],
      ['saml-open', true],
    ] as const) {
      const r = await v.call(
        'POST',
        '/api/v1/admin/identity-providers',
        {
          slug,
          tenantSlug: 'saml-a',
          allowedDomains: ['staff.test'],
          saml: {
            entryPoint: 'https://idp.example.test/sso',
            idpIssuer: IDP,
            idpCert: idpKey.cert,
            spEntityId: SP,
            mfaValues: [MFA],
            phishingResistantValues: [],
            allowIdpInitiated,
          },
        },
        admin,
      );
      expect(r.status).toBe(201);
    }
  });
  afterAll(() => v.close());

  const acs = (slug = 'saml-corp') => `${v.url}/api/v1/auth/saml/${slug}/acs`;

  /** SP-initiated: the AuthnRequest id Vigil recorded, read from the redirect to the IdP. */
  async function requestId(slug = 'saml-corp'): Promise<string> {
    const r = await fetch(`${v.url}/api/v1/auth/saml/${slug}/start`, { redirect: 'manual' });
    expect(r.status).toBe(302);
    const req = new URL(r.headers.get('location')!).searchParams.get('SAMLRequest')!;
    const xml = inflateRawSync(Buffer.from(req, 'base64')).toString();
    return /ID="([^"]+)"/.exec(xml)![1]!;
  }

  async function post(xml: string, slug = 'saml-corp') {
    const r = await fetch(acs(slug), {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': UA },
      body: new URLSearchParams({ SAMLResponse: Buffer.from(xml).toString('base64') }).toString(),
    });
    return {
      status: r.status,
      location: r.headers.get('location') ?? '',
      cookies: r.headers.getSetCookie().join('\n'),
    };
  }

  it('a signed assertion with an MFA AuthnContextClassRef signs in and links the identity', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'saml-a' }]);
    const r = await post(
      sign(responseXml({ email: u.email, acs: acs(), inResponseTo: await requestId() }), idpKey),
    );
    expect(r).toMatchObject({ status: 303, location: '/' });
    expect(r.cookies).toMatch(/vigil_session=/);
    const link = await v.core.db.withOwner((tx) =>
      tx.execute(sql`select subject from identity_links where user_id = ${u.id}`),
    );
    expect((link as unknown as { rows: unknown[] }).rows).toEqual([{ subject: u.email }]);
  });

  it('without MFA in the assertion Vigil asks for its own factor', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'saml-a' }]);
    const r = await post(
      sign(
        responseXml({ email: u.email, acs: acs(), inResponseTo: await requestId(), classRef: PASSWORD }),
        idpKey,
      ),
    );
    expect(r.cookies).not.toMatch(/vigil_session=/);
    const challenge = decodeURIComponent(/^\/#sso-challenge=([^&]+)&mfa=totp$/.exec(r.location)![1]!);
    const done = await v.call(
      'POST',
      '/api/v1/auth/mfa/totp',
      { challenge, code: freshTotp(u.totpSecret) },
      null,
      { 'user-agent': UA },
    );
    expect(done.status).toBe(200);
  });

  it('refuses tampered, unsigned, foreign-signed, expired, wrong-audience and wrong-recipient assertions with stable codes', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'saml-a' }]);
    const victim = await v.makeUser([{ role: 'tenant_admin', tenant: 'saml-a' }]);
    const base = async (o: Partial<AssertionOpts> = {}) =>
      responseXml({ email: u.email, acs: acs(), inResponseTo: await requestId(), ...o });

    const tampered = sign(await base(), idpKey).replace(`>${u.email}<`, `>${victim.email}<`);
    expect((await post(tampered)).location).toBe('/#sso-error=saml_signature_invalid');
    expect((await post(await base())).location).toBe('/#sso-error=saml_signature_invalid');
    expect((await post(sign(await base(), otherKey))).location).toBe('/#sso-error=saml_signature_invalid');
    const expired = await base({ notOnOrAfter: new Date(Date.now() - 10 * 60_000) });
    expect((await post(sign(expired, idpKey))).location).toBe('/#sso-error=saml_assertion_expired');
    const audience = await base({ audience: 'https://another-sp.example.test' });
    expect((await post(sign(audience, idpKey))).location).toBe('/#sso-error=saml_audience_mismatch');
    const recipient = await base({ recipient: 'https://evil.example.test/acs' });
    expect((await post(sign(recipient, idpKey))).location).toBe('/#sso-error=saml_recipient_mismatch');
    // An answer to a request Vigil never made (SP-initiated only on this provider).
    const unsolicited = sign(responseXml({ email: u.email, acs: acs() }), idpKey);
    expect((await post(unsolicited)).location).toBe('/#sso-error=sso_state_invalid');

    const reasons = await v.core.db.withOwner((tx) =>
      tx.execute(
        sql`select meta->>'reason' as reason from audit_events where action = 'auth.saml' and outcome = 'denied'`,
      ),
    );
    expect((reasons as unknown as { rows: Array<{ reason: string }> }).rows.map((x) => x.reason)).toEqual(
      expect.arrayContaining([
        'saml_signature_invalid',
        'saml_assertion_expired',
        'saml_audience_mismatch',
        'saml_recipient_mismatch',
      ]),
    );
  });

  it('refuses a replayed assertion: SP-initiated (request id used) and IdP-initiated (assertion id seen)', async () => {
    const u = await v.makeUser([{ role: 'agent', tenant: 'saml-a' }]);
    const once = sign(responseXml({ email: u.email, acs: acs(), inResponseTo: await requestId() }), idpKey);
    expect((await post(once)).location).toBe('/');
    expect((await post(once)).location).toBe('/#sso-error=sso_state_invalid');

    const open = sign(responseXml({ email: u.email, acs: acs('saml-open') }), idpKey);
    expect((await post(open, 'saml-open')).location).toBe('/');
    expect((await post(open, 'saml-open')).location).toBe('/#sso-error=saml_replayed');
  });

  it('a tenant provider signs in only members of its tenant', async () => {
    const stranger = await v.makeUser([{ role: 'agent', tenant: 'saml-other' }]);
    const r = await post(
      sign(responseXml({ email: stranger.email, acs: acs(), inResponseTo: await requestId() }), idpKey),
    );
    expect(r.location).toBe('/#sso-error=sso_no_account');
  });
});
