// Finding 11b (pen test, issue 20): chat visitor tokens lived 30 days. Attack: a token read from
// a shared computer's storage or a log replays the visitor's conversation weeks later. Now a
// token lives 24 h and every answer to an active visitor renews it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWidgetSecret, signVisitorToken } from '../../src/channels/chat/token.ts';
import { ORIGIN, slugs, startWorld, type World } from '../conversations/fixture.ts';
import { testDbKind } from '../helpers/db.ts';

const expiryOf = (token: string): number =>
  JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')).e as number;
const DAY = 24 * 3_600_000;

describe(`visitor token lifetime (${testDbKind})`, () => {
  let w: World;
  let A: string;

  beforeAll(async () => {
    w = await startWorld();
    ({ slugA: A } = slugs(w));
  }, 300_000);
  afterAll(() => w.v.close());

  const history = (token: string) =>
    w.v.call('GET', `/api/v1/widget/${A}/messages`, undefined, null, {
      ...ORIGIN,
      authorization: `Bearer ${token}`,
    });

  it('issues tokens that expire within a day and renews them on activity', async () => {
    const before = Date.now();
    const m = await w.v.call(
      'POST',
      `/api/v1/widget/${A}/messages`,
      { text: 'Hallo, eine Frage zur Lieferung', clientMessageId: 'sec-vt-0001' },
      null,
      ORIGIN,
    );
    expect(m.status).toBe(201);
    const first = m.json.visitorToken as string;
    expect(expiryOf(first)).toBeLessThanOrEqual(Date.now() + DAY);
    expect(expiryOf(first)).toBeGreaterThanOrEqual(before + DAY - 60_000);
    const h = await history(first);
    expect(h.status).toBe(200);
    expect(h.json.messages.length).toBe(1);
    expect(typeof h.json.visitorToken).toBe('string');
    expect(expiryOf(h.json.visitorToken)).toBeGreaterThanOrEqual(expiryOf(first));
    expect((await history(h.json.visitorToken)).status).toBe(200);
  });

  it('refuses a token issued more than a day ago (it was valid for 30 days before)', async () => {
    const m = await w.v.call(
      'POST',
      `/api/v1/widget/${A}/messages`,
      { text: 'Noch eine Frage zur Rechnung', clientMessageId: 'sec-vt-0002' },
      null,
      ORIGIN,
    );
    const visitorId = JSON.parse(
      Buffer.from(m.json.visitorToken.split('.')[0], 'base64url').toString('utf8'),
    ).v;
    // The server's own widget key (the test instance's data dir), as an attacker replaying an old token.
    const secret = loadWidgetSecret(join(w.v.core.config.dataDir));
    const stale = signVisitorToken(secret, w.a, visitorId, Date.now() - DAY - 60_000);
    expect((await history(signVisitorToken(secret, w.a, visitorId))).status).toBe(200);
    const r = await history(stale);
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('unauthenticated');
  });
});
