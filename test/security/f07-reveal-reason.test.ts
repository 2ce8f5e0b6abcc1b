// Finding 7 (pen test, issue 20): a reveal reason of spaces passed and was audited as "".
// Attack: an agent reveals a tokenized e-mail address with a reason that says nothing.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import { auditCount, ORIGIN, slugs, startWorld, type World } from '../conversations/fixture.ts';
import { testDbKind } from '../helpers/db.ts';

describe(`reveal needs a meaningful reason (${testDbKind})`, () => {
  let w: World;
  let A: string;
  let conv: string;
  let token: string;

  beforeAll(async () => {
    w = await startWorld();
    ({ slugA: A } = slugs(w));
    // Before the tenant's first message, so no cached policy hides it.
    await w.v.core.db.withTenant(w.a, (tx) =>
      tx.execute(
        sql`insert into tenant_pii_policies (tenant_id, policy) values (${w.a}, ${JSON.stringify({
          defaultOperator: 'keep',
          entities: { PAYMENT_CARD: { operator: 'redact' }, EMAIL: { operator: 'tokenize' } },
        })}::jsonb)`,
      ),
    );
    const m = await w.v.call(
      'POST',
      `/api/v1/widget/${A}/messages`,
      { text: 'Hallo, ich habe eine Frage', clientMessageId: 'sec-reveal-01' },
      null,
      ORIGIN,
    );
    conv = m.json.conversationId;
    const note = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/conversations/${conv}/notes`,
      { text: 'Kunde schreibt von lena.h@example.de' },
      w.s.agentA1,
    );
    expect(note.status).toBe(201);
    token = /tok_[a-z0-9]{20}/.exec(note.json.text)?.[0] as string;
    expect(token).toBeTruthy();
    // The agent holds the conversation, so the reveal needs no confirmation (issue 25).
    const assigned = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/conversations/${conv}/assign`,
      { userId: w.agentA1.id },
      w.s.agentA1,
    );
    expect(assigned.status).toBe(200);
  }, 300_000);
  afterAll(() => w.v.close());

  const reveal = (reason: string) =>
    w.v.call('POST', `/api/v1/tenants/${A}/conversations/${conv}/reveal`, { token, reason }, w.s.agentA1);

  it('refuses blank, repeated and trivially low-entropy reasons with 400 reason_required, revealing and auditing nothing', async () => {
    const before = await auditCount(w, w.a, 'value.reveal', conv);
    for (const reason of [
      ' '.repeat(12),
      `\t${' '.repeat(10)}\n`,
      'aaaaaaaaaaaa',
      '   x        x   ',
      'abababababab',
      '1234567890123',
      '..........!!',
    ]) {
      const r = await reveal(reason);
      expect(r.status, JSON.stringify(reason)).toBe(400);
      expect(r.json.error.code).toBe('reason_required');
      expect(r.text).not.toContain('lena.h@example.de');
    }
    expect(await auditCount(w, w.a, 'value.reveal', conv)).toBe(before);
  });

  it('accepts a real reason and audits it trimmed', async () => {
    const r = await reveal('   Kunde bittet um Rückruf   ');
    expect(r.status).toBe(200);
    expect(r.json.value).toBe('lena.h@example.de');
    const [ev] = await w.v.core.db.withOwner((tx) =>
      rows<{ reason: string }>(
        tx,
        sql`select reason from audit_events where tenant_id = ${w.a} and action = 'value.reveal' and resource_id = ${conv} order by seq desc limit 1`,
      ),
    );
    expect(ev?.reason).toBe('Kunde bittet um Rückruf');
  });
});
