// Inviting people (issue 25), in a real Chromium against a real Vigil and a real SMTP server: a
// tenant admin invites an agent by e-mail; the data-reading role waits for a second admin's
// approval; the mail carries a link whose single-use token sits in the fragment; the person sets a
// password (the policy refuses a weak one), signs in, enrols TOTP and is in. The token is never
// in a URL the server sees, in a log or in the database, and works only once.
import { sql } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import { freshTotp, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink.ts';
import { axe, ensureWebBuild, expectCsrfOnWrites, launch, newPage, shot, signIn } from './browser.ts';

const SLUG = 'web-sup-invite';
const EMAIL = 'neu.kollegin@example.org';
const NAME = 'Nina Neu';
const PASSWORD = 'Kaffeetasse-Wolke-Fahrrad-42';

describe(`invitations by e-mail (${testDbKind})`, () => {
  let v: TestVigil;
  let sink: SmtpSink;
  let browser: Browser;
  let admin: TestUser;
  let second: TestUser;

  beforeAll(async () => {
    await ensureWebBuild();
    sink = await startSmtpSink();
    v = await startTestVigil({ smtpRelayUrl: sink.url });
    await v.tenant(SLUG);
    admin = await v.makeUser([{ role: 'tenant_admin', tenant: SLUG }]);
    second = await v.makeUser([{ role: 'tenant_admin', tenant: SLUG }]);
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await v?.close();
    await sink?.close();
  });

  it('an admin invites, a second admin approves, the person accepts and signs in with MFA', async () => {
    const w = await newPage(browser, { baseUrl: v.url });
    await signIn(w.page, v.url, admin);
    await w.page.goto(`${v.url}/app/t/${SLUG}/users`);
    await w.page.getByRole('button', { name: 'Invite by e-mail' }).click();
    const dialog = w.page.getByRole('dialog');
    await dialog.getByLabel('E-mail address').fill(EMAIL);
    await dialog.getByLabel('Name').fill(NAME);
    await dialog.getByLabel('Role').selectOption('agent');
    await dialog.getByLabel('Language of the e-mail').selectOption('de');
    await axe(w.page, 'invite dialog');
    await dialog.getByRole('button', { name: 'Send invitation' }).click();
    const row = w.page.locator('tr', { hasText: NAME });
    await row.getByText('Awaiting approval').waitFor();
    // The inviter cannot approve their own invitation of a data-reading role.
    expect(await row.getByRole('button', { name: `Approve the invitation of ${NAME}` }).count()).toBe(0);
    expect(await w.page.locator('#main').textContent()).not.toContain(EMAIL);
    await axe(w.page, 'invitations');
    await shot(w.page, 'sup-invite-01-awaiting');
    expect(sink.received).toHaveLength(0);
    expectCsrfOnWrites(w);
    expect(w.errors).toEqual([]);
    await w.ctx.close();

    const s2 = await v.login(second);
    const list = await v.call('GET', `/api/v1/tenants/${SLUG}/invitations`, undefined, s2);
    const inv = list.json.invitations.find((i: { displayName: string }) => i.displayName === NAME);
    expect(
      (await v.call('POST', `/api/v1/tenants/${SLUG}/invitations/${inv.id}/approve`, undefined, s2)).status,
    ).toBe(200);

    const mail = await sink.next((m) => m.subject?.includes('Einladung') ?? false);
    expect(mail.to).toMatchObject({ text: EMAIL });
    const link = /(http:\/\/\S+\/app\/invite#token=[A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
    expect(link).toBeTruthy();
    const token = new URL(link!).hash.slice('#token='.length);

    // The invited person, in their own browser.
    const p = await newPage(browser, { baseUrl: v.url });
    await p.page.goto(link!);
    await p.page.getByRole('heading', { name: 'Accept your invitation' }).waitFor();
    await p.page.getByText(`Welcome, ${NAME}.`, { exact: false }).waitFor();
    // The token left the address bar at once.
    expect(p.page.url()).toBe(`${v.url}/app/invite`);
    await p.page.getByLabel('New password').fill('password12345');
    await p.page.getByLabel('Repeat the password').fill('password12345');
    await p.page.getByRole('button', { name: 'Set password' }).click();
    await p.page.getByText('The password is too weak', { exact: false }).waitFor();
    await p.page.getByLabel('New password').fill(PASSWORD);
    await p.page.getByLabel('Repeat the password').fill(PASSWORD);
    await p.page.getByRole('button', { name: 'Set password' }).click();
    await p.page.getByText('Your password is set.', { exact: false }).waitFor();
    await axe(p.page, 'invitation accepted');
    await p.page.getByRole('button', { name: 'Go to sign-in' }).click();

    // First sign-in: password, then the authenticator app is enrolled, then the recovery codes.
    await p.page.getByLabel('E-mail').fill(EMAIL);
    await p.page.getByLabel('Password').fill(PASSWORD);
    await p.page.getByRole('button', { name: 'Continue' }).click();
    const uri = await p.page.getByLabel('Or add this key by hand').inputValue();
    const secret = new URL(uri).searchParams.get('secret')!;
    await axe(p.page, 'totp enrolment');
    await p.page.getByLabel('Authentication code').fill(freshTotp(secret));
    await p.page.getByRole('button', { name: 'Verify' }).click();
    await p.page.getByRole('button', { name: 'I have stored them' }).click();
    // The console now speaks the language the admin chose for the invitation.
    await p.page.getByRole('heading', { name: 'Übersicht', level: 1 }).waitFor();
    await p.page.getByRole('navigation').getByRole('link', { name: 'Posteingang' }).waitFor();
    await axe(p.page, 'first sign-in');
    await shot(p.page, 'sup-invite-02-signed-in');
    // The token never appeared in a URL this browser requested, nor in storage.
    expect(p.urls.filter((u) => u.includes(token))).toEqual([]);
    expect(p.errors).toEqual([]);
    await p.ctx.close();

    // Spent: the same link works no more.
    const again = await v.call('POST', '/api/v1/auth/invitation/accept', { token, password: PASSWORD });
    expect(again.status).toBe(410);
    expect(again.json.error.code).toBe('invitation_invalid');
    // Neither the token nor the address is in the logs; the database keeps only the hash.
    const logs = v.logs.join('\n');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(EMAIL);
    const [stored] = await v.core.db.withPlatform((tx) =>
      rows<{ token_hash: string; status: string; role: string }>(
        tx,
        sql`select token_hash, status, role from user_invitations where id = ${inv.id}`,
      ),
    );
    expect(stored).toMatchObject({ status: 'accepted', role: 'agent' });
    expect(stored!.token_hash).not.toContain(token);
    // Audited in the tenant's chain: invite, approval, acceptance, the grant by the approver.
    const actions = await v.core.db.withTenant(await v.tenant(SLUG), (tx) =>
      rows<{ action: string; actor_id: string }>(
        tx,
        sql`select action, actor_id from audit_events where action like 'user.invite%' or
            (action = 'membership.grant' and meta->>'via' = 'invitation') order by seq`,
      ),
    );
    expect(actions.map((a) => a.action)).toEqual([
      'user.invite',
      'user.invite_approve',
      'user.invite_accept',
      'membership.grant',
    ]);
    expect(actions[3]!.actor_id).toBe(second.id);
  });

  it('refuses an existing address, another tenant’s invitation and an invitation without a relay', async () => {
    const a = await v.login(admin);
    const taken = await v.call(
      'POST',
      `/api/v1/tenants/${SLUG}/invitations`,
      { email: EMAIL, displayName: 'X', role: 'tenant_admin' },
      a,
    );
    expect(taken.status).toBe(409);
    expect(taken.json.error.code).toBe('account_exists');
    const bad = await v.call(
      'POST',
      `/api/v1/tenants/${SLUG}/invitations`,
      { email: 'nope', displayName: 'X', role: 'agent' },
      a,
    );
    expect(bad.status).toBe(400);
    const platform = await v.call(
      'POST',
      `/api/v1/tenants/${SLUG}/invitations`,
      { email: 'p@example.org', displayName: 'X', role: 'platform_admin' },
      a,
    );
    expect(platform.status).toBe(400);
    // A non-data-reading role goes out at once; another tenant's admin cannot see or revoke it.
    const sent = await v.call(
      'POST',
      `/api/v1/tenants/${SLUG}/invitations`,
      { email: 'admin2@example.org', displayName: 'Zweite Admin', role: 'tenant_admin' },
      a,
    );
    expect(sent.status).toBe(201);
    expect(sent.json.status).toBe('sent');
    await sink.next(
      (m) => m.text?.includes('admin2') === false && (m.to as { text: string }).text === 'admin2@example.org',
    );
    await v.tenant(`${SLUG}-b`);
    const other = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: `${SLUG}-b` }]));
    const cross = await v.call(
      'POST',
      `/api/v1/tenants/${SLUG}-b/invitations/${sent.json.id}/revoke`,
      undefined,
      other,
    );
    expect(cross.status).toBe(404);
    const agentish = await v.login(await v.makeUser([{ role: 'supervisor', tenant: SLUG }]));
    expect((await v.call('GET', `/api/v1/tenants/${SLUG}/invitations`, undefined, agentish)).status).toBe(
      403,
    );

    const bare = await startTestVigil();
    try {
      await bare.tenant(SLUG);
      const ad = await bare.makeUser([{ role: 'tenant_admin', tenant: SLUG }]);
      const r = await bare.call(
        'POST',
        `/api/v1/tenants/${SLUG}/invitations`,
        { email: 'x@example.org', displayName: 'X', role: 'tenant_admin' },
        await bare.login(ad),
      );
      expect(r.status).toBe(409);
      expect(r.json.error.code).toBe('mail_relay_missing');
      const none = await bare.core.db.withPlatform((tx) =>
        rows<{ n: number }>(tx, sql`select count(*)::int as n from users where email = 'x@example.org'`),
      );
      expect(none[0]!.n).toBe(0);
    } finally {
      await bare.close();
    }
  });
});
