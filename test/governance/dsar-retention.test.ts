// Retention of the DSAR intake's personal data, over real sockets (SMTP relay, SMS webhook) and
// the real database: a closed intake keeps the requester's address, phone and free text for the
// retention period and then loses them (the raw columns are NULL, the ciphertext is nowhere in
// the table), a never-verified one a week after its code expired, a completed erasure at once.
// The job's clock is passed in (`purgeClosed(tenants, now)`): time moves without waiting.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import { testDbKind } from '../helpers/db.ts';
import { waitFor } from '../verification/world.ts';
import { codeIn, type DsarWorld, startDsarWorld } from './dsar-world.ts';

const DAY = 86_400_000;
const details = `Meine Anschrift ist falsch: Musterweg ${Date.now()}`;

let w: DsarWorld;
let v: DsarWorld['v'];
let g: DsarWorld['g'];
let dpo: DsarWorld['dpo'];
let tenantId = '';
let customerId = '';
let slug = '';
let address = '';
let phone = '';
let pub = '';
let staff = '';

beforeAll(async () => {
  w = await startDsarWorld('gov-ret', { name: 'Rita Muster', local: 'ret' }, { dsarIntakeRetentionDays: 30 });
  ({ v, g, dpo, tenantId, customerId, slug, address, phone, pub, staff } = w);
}, 60_000);

afterAll(async () => {
  await w?.close();
});

interface RawIntake {
  id: string;
  type: string;
  state: string;
  verify_channel: string;
  email_enc: Buffer | null;
  phone_enc: Buffer | null;
  details_enc: Buffer | null;
  customer_id: string | null;
  code_hash: Buffer | null;
  subject_request_id: string | null;
  received_at: Date | string;
  closed_at: Date | string | null;
  closed_outcome: string | null;
  purged_at: Date | string | null;
}

const raw = async (id: string) =>
  (
    await v.core.db.withOwner((tx) =>
      rows<RawIntake>(
        tx,
        sql`select id, type, state, verify_channel, email_enc, phone_enc, details_enc, customer_id, code_hash,
          subject_request_id, received_at, closed_at, closed_outcome, purged_at from dsar_intakes where id = ${id}`,
      ),
    )
  )[0]!;

/** Rows of the whole table still holding any of these ciphertexts. */
const holding = async (blobs: Buffer[]) =>
  (
    await v.core.db.withOwner((tx) =>
      rows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from dsar_intakes where ${sql.join(
          blobs.map((b) => sql`email_enc = ${b} or phone_enc = ${b} or details_enc = ${b}`),
          sql` or `,
        )}`,
      ),
    )
  )[0]!.n;

const retentionEvents = () =>
  v.core.db.withOwner((tx) =>
    rows<{ resource_id: string; meta: Record<string, unknown> }>(
      tx,
      sql`select resource_id, meta from audit_events where tenant_id = ${tenantId}
          and action = 'governance.dsar.retention' order by seq`,
    ),
  );

const purge = (at: Date) => v.governance!.retention.purgeClosed([{ id: tenantId }], at);
const mailsTo = (to: string) => w.mailsTo(to);

async function file(body: Record<string, unknown>) {
  const r = await w.file(body);
  expect(r.status).toBe(202);
  return r.json.statusToken as string;
}

/** The DPO's list entry of the newest intake of a type. */
async function intakeOf(type: string) {
  const list = await v.call('GET', staff, undefined, dpo);
  return list.json.items.filter((i: { type: string }) => i.type === type).at(-1);
}

async function verifyByMail(token: string, before: number) {
  const mail = await waitFor(async () =>
    mailsTo(address)
      .slice(before)
      .find((m) => codeIn(m.text)),
  );
  const ok = await v.call('POST', `${pub}/verify`, { token, code: codeIn(mail.text) });
  expect(ok.json.state).toBe('verified');
}

describe(`retention of DSAR intake data (${testDbKind})`, () => {
  let rect = '';
  let unverified = '';
  let rectBlobs: Buffer[] = [];
  let t0 = new Date();

  it('a closed request keeps contact and text within retention; a never-verified one goes after 7 days', async () => {
    const smsBefore = g.sms.length;
    const token = await file({ type: 'rectification', email: address, verifyBy: 'sms', phone, details });
    const sms = await waitFor(async () => g.sms.slice(smsBefore).find((s) => s.to === phone));
    expect((await v.call('POST', `${pub}/verify`, { token, code: codeIn(sms.text) })).json.state).toBe(
      'verified',
    );
    rect = (await intakeOf('rectification')).id;
    const before = mailsTo(address).length;
    await file({ type: 'access', email: address });
    await waitFor(async () => (mailsTo(address).length > before ? true : null));
    unverified = (await intakeOf('access')).id;

    const r = await raw(rect);
    expect(r.email_enc && r.phone_enc && r.details_enc).toBeTruthy();
    rectBlobs = [r.email_enc!, r.phone_enc!, r.details_enc!].map((b) => Buffer.from(b));
    const close = await v.call(
      'POST',
      `/api/v1/tenants/${slug}/privacy/requests/${r.subject_request_id}/close`,
      { outcome: 'completed' },
      dpo,
    );
    expect(close.status).toBe(200);

    t0 = new Date();
    expect(await purge(t0)).toEqual({ closed: 1, purged: 0 });
    const closed = await raw(rect);
    expect(closed.closed_outcome).toBe('completed');
    expect(closed.purged_at).toBeNull();

    // Ten days on: the closed request is within retention, the unverified one is past its week.
    expect(await purge(new Date(t0.getTime() + 10 * DAY))).toEqual({ closed: 0, purged: 1 });
    const kept = await raw(rect);
    expect(kept.email_enc && kept.phone_enc && kept.details_enc).toBeTruthy();
    expect(await holding(rectBlobs)).toBe(1);
    const gone = await raw(unverified);
    expect(gone).toMatchObject({ email_enc: null, phone_enc: null, details_enc: null, customer_id: null });
    expect(gone).toMatchObject({ state: 'unverified', closed_outcome: 'expired', code_hash: null });
    expect(gone.purged_at).not.toBeNull();
    const read = await v.call('GET', `${staff}/${rect}/details`, undefined, dpo);
    expect(read.json).toMatchObject({ details, purged: false });
  });

  it('past retention the personal fields are NULL, the ciphertext gone, the record kept', async () => {
    expect(await purge(new Date(t0.getTime() + 29 * DAY))).toEqual({ closed: 0, purged: 0 });
    expect(await purge(new Date(t0.getTime() + 31 * DAY))).toEqual({ closed: 0, purged: 1 });
    const r = await raw(rect);
    expect(r).toMatchObject({ email_enc: null, phone_enc: null, details_enc: null, customer_id: null });
    expect(await holding(rectBlobs)).toBe(0);
    // The accountability record: type, channel, state, outcome, dates, the subject request.
    expect(r).toMatchObject({ type: 'rectification', verify_channel: 'sms', closed_outcome: 'completed' });
    expect(r.subject_request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(r.purged_at!).getTime()).toBe(t0.getTime() + 31 * DAY);

    const read = await v.call('GET', `${staff}/${rect}/details`, undefined, dpo);
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ id: rect, details: null, purged: true });
    const item = (await v.call('GET', staff, undefined, dpo)).json.items.find(
      (i: { id: string }) => i.id === rect,
    );
    expect(item).toMatchObject({ hasDetails: false, closedOutcome: 'completed', state: 'completed' });
    expect(item.purgedAt).not.toBeNull();
    // Purged twice is purged once.
    expect(await purge(new Date(t0.getTime() + 60 * DAY))).toEqual({ closed: 0, purged: 0 });
  });

  it('a completed erasure purges its intake at once, after the requester heard of it', async () => {
    const before = mailsTo(address).length;
    const token = await file({ type: 'erasure', email: address });
    await verifyByMail(token, before);
    const intake = await intakeOf('erasure');
    expect((await raw(intake.id)).email_enc).not.toBeNull();
    const mailed = mailsTo(address).length;
    const erase = await v.call(
      'POST',
      `/api/v1/tenants/${slug}/privacy/customers/${customerId}/erase`,
      { requestId: intake.subjectRequestId },
      dpo,
    );
    expect(erase.status).toBe(200);
    // No job run: the erasure itself triggers the purge.
    const r = await waitFor(async () => {
      const x = await raw(intake.id);
      return x.purged_at ? x : null;
    });
    expect(r).toMatchObject({
      email_enc: null,
      phone_enc: null,
      details_enc: null,
      closed_outcome: 'completed',
    });
    const done = mailsTo(address).slice(mailed);
    expect(done.map((m) => m.text?.split('\n')[0])).toContain('Your request has been completed.');
    const st = await v.call('POST', `${pub}/status`, { token });
    expect(st.json).toMatchObject({ type: 'erasure', state: 'completed' });
    // A purged intake sends nothing more, whatever is asked.
    await v.call('POST', `${pub}/code`, { token });
    await v.governance!.remindDsarDeadlines();
    await new Promise((res) => setTimeout(res, 300));
    expect(mailsTo(address).length).toBe(mailed + done.length);
  });

  it('audits one event per run, with counts only', async () => {
    const events = await retentionEvents();
    expect(events.map((e) => e.meta)).toEqual([
      { closed: 1, purged: 0, expired: 0, erasures: 0, retentionDays: 30 },
      { closed: 0, purged: 1, expired: 1, erasures: 0, retentionDays: 30 },
      { closed: 0, purged: 1, expired: 0, erasures: 0, retentionDays: 30 },
      { closed: 1, purged: 1, expired: 0, erasures: 1, retentionDays: 30 },
    ]);
    const text = JSON.stringify(events);
    for (const personal of [address, phone, details, customerId, rect, unverified, 'Rita'])
      expect(text).not.toContain(personal);
    expect(events.every((e) => e.resource_id === tenantId)).toBe(true);
  });
});
