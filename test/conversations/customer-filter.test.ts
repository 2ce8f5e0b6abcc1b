// The agent console's all-channel timeline lists one customer's conversations: the filter narrows
// to that customer and never widens the caller's queue scope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKind } from '../helpers/db.ts';
import { ORIGIN, slugs, startWorld, type World } from './fixture.ts';

describe(`conversation list by customer (${testDbKind})`, () => {
  let w: World;
  let A: string;
  beforeAll(async () => {
    w = await startWorld();
    A = slugs(w).slugA;
  });
  afterAll(() => w.v.close());

  it('returns only that customer’s conversations, within the caller’s queues', async () => {
    const post = (text: string, id: string) =>
      w.v.call('POST', `/api/v1/widget/${A}/messages`, { text, clientMessageId: id }, null, ORIGIN);
    const one = await post('Erste Frage', 'cf-00000001');
    const two = await post('Zweite Frage', 'cf-00000002');
    expect(one.status).toBe(201);
    expect(two.status).toBe(201);
    const open = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/conversations/${one.json.conversationId}`,
      undefined,
      w.s.agentA1,
    );
    const customer = open.json.customerId as string;
    const mine = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/conversations?customer=${customer}`,
      undefined,
      w.s.agentA1,
    );
    expect(mine.status).toBe(200);
    expect(mine.json.items.map((c: { id: string }) => c.id)).toEqual([one.json.conversationId]);
    // agentA2 is not in the widget's queue: the filter does not reveal the conversation.
    const other = await w.v.call(
      'GET',
      `/api/v1/tenants/${A}/conversations?customer=${customer}`,
      undefined,
      w.s.agentA2,
    );
    expect(other.json.items).toEqual([]);
    expect(
      (await w.v.call('GET', `/api/v1/tenants/${A}/conversations?customer=nope`, undefined, w.s.agentA1))
        .status,
    ).toBe(400);
  });
});
