// Issue 20, finding 3 (high): with `minScore: 1` a tenant's policy let card security codes and
// expiry dates through in clear. The floor: card numbers, CVV/CVC, expiry dates, track data and
// credentials are never stored in clear, whatever the policy says; validation pins it, and the
// pipeline applies it even to an old stored policy that was never validated this way.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, slugs, startWorld, type World } from '../conversations/fixture.ts';
import type { Session } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

const CARD_MESSAGE = 'card 5555555555554444 cvc: 737 exp 03/30';
const SECRETS = [
  '5555555555554444',
  '737',
  '03/30',
  'Hunter2Secret!',
  '4111111111111111',
  'MUSTERMANN',
  '2512101',
];

describe(`the PCI and credential floor holds whatever the tenant policy (${testDbKind})`, () => {
  let w: World;
  let A: string;
  let B: string;
  let admin: Session;

  const visitors = new Map<string, string>();
  /** Sends a chat message as a visitor and returns the text as stored (what agents are shown). */
  async function storedText(slug: string, agent: Session, text: string, id: string): Promise<string> {
    const token = visitors.get(slug);
    const body = { text, clientMessageId: id, ...(token ? { visitorToken: token } : {}) };
    const m = await w.v.call('POST', `/api/v1/widget/${slug}/messages`, body, null, ORIGIN);
    expect(m.status, m.text).toBeLessThan(300);
    visitors.set(slug, m.json.visitorToken);
    const conv = await w.v.call(
      'GET',
      `/api/v1/tenants/${slug}/conversations/${m.json.conversationId}`,
      undefined,
      agent,
    );
    const messages = conv.json.messages as Array<{ id: string; text: string }>;
    return (messages.find((x) => x.id === m.json.messageId) ?? messages.at(-1))!.text;
  }

  beforeAll(async () => {
    w = await startWorld();
    ({ slugA: A, slugB: B } = slugs(w));
    admin = await w.v.login(await w.v.makeUser([{ role: 'tenant_admin', tenant: A }]));
  });
  afterAll(() => w.v.close());

  it('PUT pii-policy with minScore 1 and keep: accepted with the floor pinned and explained', async () => {
    const put = await w.v.call(
      'PUT',
      `/api/v1/tenants/${A}/settings/pii-policy`,
      { policy: { defaultOperator: 'keep', minScore: 1, entities: {} } },
      admin,
    );
    expect(put.status).toBe(200);
    for (const type of ['PAYMENT_CARD', 'CARD_CVV', 'CARD_EXPIRY', 'CARD_TRACK', 'CREDENTIAL']) {
      expect(put.json.policy.entities[type].minScore, type).toBeLessThanOrEqual(0.5);
      expect(['redact', 'mask']).toContain(put.json.policy.entities[type].operator);
      expect(put.json.warnings.some((x: string) => x.includes(type) && x.includes('floor'))).toBe(true);
    }
    // Everything else follows the tenant's choice.
    expect(put.json.policy.minScore).toBe(1);
  });

  it('then the exact repro stores neither the CVC nor the expiry date, nor a password after a cue', async () => {
    const card = await storedText(A, w.s.agentA1, CARD_MESSAGE, 'pci-floor-card-1');
    expect(card).toBe('card [PAYMENT_CARD] cvc: [CARD_CVV] exp [CARD_EXPIRY]');
    const pwd = await storedText(
      A,
      w.s.agentA1,
      'Mein Passwort: Hunter2Secret! bitte ändern',
      'pci-floor-pwd-1',
    );
    expect(pwd).toContain('[CREDENTIAL]');
    const track = await storedText(
      A,
      w.s.agentA1,
      'Track1 %B4111111111111111^MUSTERMANN/ERIKA^2512101000000000000000? Track2 ;4111111111111111=25121010000000000000?',
      'pci-floor-track-1',
    );
    expect(track).toBe('Track1 [CARD_TRACK] Track2 [CARD_TRACK]');
    for (const s of SECRETS) expect(card + pwd + track).not.toContain(s);
  });

  it('an old stored policy that keeps card data and credentials cannot weaken the floor at ingest', async () => {
    const tenantId = w.b;
    const weak = {
      defaultOperator: 'keep',
      minScore: 1,
      entities: {
        PAYMENT_CARD: { operator: 'keep', minScore: 1 },
        CARD_CVV: { operator: 'keep', minScore: 1 },
        CARD_EXPIRY: { operator: 'keep', minScore: 1 },
        CREDENTIAL: { operator: 'keep', minScore: 1 },
      },
      channels: {
        chat: { defaultOperator: 'keep', minScore: 1, entities: { CARD_CVV: { operator: 'keep' } } },
      },
    };
    // Written as a migration or an older release would have: no validation on the way in.
    await w.v.core.db.withOwner((tx) =>
      tx.execute(
        sql`insert into tenant_pii_policies (tenant_id, policy) values (${tenantId}, ${JSON.stringify(weak)}::jsonb)`,
      ),
    );
    const card = await storedText(B, w.s.agentB, CARD_MESSAGE, 'pci-floor-card-2');
    const pwd = await storedText(B, w.s.agentB, 'password: Hunter2Secret!', 'pci-floor-pwd-2');
    for (const s of SECRETS) expect(card + pwd).not.toContain(s);
    expect(card).toContain('[CARD_CVV]');
    expect(pwd).toContain('[CREDENTIAL]');
  });
});
