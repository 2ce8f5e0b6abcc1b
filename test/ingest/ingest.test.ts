// Ingest guarantees at the HTTP boundary: malformed input is a clear 4xx, never a 500; huge
// bodies 413; invalid UTF-8 and control characters are stored safely; concurrent retries of one
// clientMessageId store exactly one message.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/platform/db.ts';
import { ORIGIN, slugs, startWorld, type World } from '../conversations/fixture.ts';
import { testDbKind } from '../helpers/db.ts';

describe(`ingest (${testDbKind})`, () => {
  let w: World;
  let A: string;
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    w.v.call('POST', `/api/v1/widget/${A}/messages`, body, null, { ...ORIGIN, ...headers });
  const messageCount = async () =>
    (
      await w.v.core.db.withTenant(w.a, (tx) =>
        rows<{ n: number }>(tx, sql`select count(*)::int as n from messages`),
      )
    )[0]!.n;

  beforeAll(async () => {
    w = await startWorld();
    A = slugs(w).slugA;
  });
  afterAll(() => w.v.close());

  it('rejects malformed input with 4xx', async () => {
    expect((await post('{"text": "x", ')).status).toBe(400);
    expect((await post({ text: '', clientMessageId: 'ing-0000001' })).status).toBe(400);
    expect((await post({ text: '   ', clientMessageId: 'ing-0000002' })).status).toBe(400);
    expect((await post({ text: 'x', clientMessageId: 'bad id with spaces' })).status).toBe(400);
    // Scalars are coerced by the app-wide validator (coerceTypes): accepted as text, never a 500.
    expect((await post({ text: 42, clientMessageId: 'ing-0000003' })).status).toBeLessThan(500);
    expect((await post({ text: { nested: true }, clientMessageId: 'ing-0000005' })).status).toBe(400);
    expect((await post([1, 2, 3])).status).toBe(400);
    expect((await post('text=x', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await post({ text: 'x'.repeat(2 * 1024 * 1024), clientMessageId: 'ing-0000004' })).status).toBe(
      413,
    );
    const huge = await w.v.call(
      'POST',
      `/api/v1/tenants/${A}/customers`,
      { notes: 'y'.repeat(1_100_000) },
      w.s.agentA1,
    );
    expect(huge.status).toBe(413);
  });

  it('stores invalid UTF-8, NUL bytes, lone surrogates and script tags safely as data', async () => {
    const raw = Buffer.concat([
      Buffer.from('{"text":"<script>alert(1)</script> a\\u0000b \\ud800 c '),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('","clientMessageId":"ing-0000010"}'),
    ]);
    const r = await fetch(`${w.v.url}/api/v1/widget/${A}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...ORIGIN },
      body: raw,
    });
    expect(r.status).toBeLessThan(500);
    expect(r.status).toBe(201);
    const { conversationId } = (await r.json()) as { conversationId: string };
    const open = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/conversations/${conversationId}`,
      undefined,
      w.s.agentA1,
    );
    expect(open.headers.get('content-type')).toMatch(/application\/json/);
    const text = open.json.messages[0].text as string;
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).not.toContain('\u0000');
  });

  it('concurrent retries of one clientMessageId store one message', async () => {
    const before = await messageCount();
    const body = { text: 'Doppelt gesendet', clientMessageId: 'ing-0000020' };
    const results = await Promise.all(Array.from({ length: 6 }, () => post(body)));
    for (const r of results) expect([200, 201]).toContain(r.status);
    expect(new Set(results.map((r) => r.json.messageId)).size).toBe(1);
    expect(await messageCount()).toBe(before + 1);
  });

  it('rate-limits a single visitor', async () => {
    const first = await post({ text: 'eins', clientMessageId: 'ing-rl-00000' });
    const token = first.json.visitorToken;
    let limited = 0;
    for (let i = 1; i < 40; i++) {
      const r = await post(
        { text: `n${i}`, clientMessageId: `ing-rl-${String(i).padStart(5, '0')}` },
        { authorization: `Bearer ${token}` },
      );
      if (r.status === 429) limited++;
      else expect(r.status).toBe(201);
    }
    expect(limited).toBeGreaterThan(0);
  });
});
