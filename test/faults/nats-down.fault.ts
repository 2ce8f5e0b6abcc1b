// NATS down: ingest, reads and sign-ins keep working; the SIEM export (the audit table is its
// outbox) falls behind and catches up by itself once NATS is back, each event exactly once in
// the stream (JetStream drops the redelivered duplicates by message id).
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { connect } from 'nats';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, rows } from '../../src/platform/db.ts';
import { createPgDatabase, startNats } from './servers.ts';
import { openCall, postSegment, prepare, sleep } from './setup.ts';
import { call, loginAt } from './world.ts';

const METRICS_TOKEN = randomBytes(24).toString('base64url');

describe('fault: NATS down', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  it('keeps the product working and lets the outbox catch up', async () => {
    const nats = await startNats();
    cleanup.push(() => nats.stop());
    const pgdb = await createPgDatabase();
    cleanup.push(() => pgdb.drop());
    const f = await prepare(pgdb.url, {
      NATS_URL: nats.url,
      VIGIL_SIEM_NATS: 'true',
      VIGIL_METRICS_TOKEN: METRICS_TOKEN,
    });
    const node = await f.node();
    cleanup.push(() => node.stop());
    const db = await openDatabase({ databaseUrl: pgdb.url });
    cleanup.push(() => db.close());
    const lag = async () => {
      const [r] = await db.withOwner((tx) =>
        rows<{ lag: number; total: number }>(
          tx,
          sql`select coalesce(sum(h.last_seq - coalesce(c.last_seq, 0)), 0)::int as lag, coalesce(sum(h.last_seq), 0)::int as total
              from audit_heads h left join audit_sink_cursors c on c.chain = h.chain and c.sink_id = 'nats'`,
        ),
      );
      return r!;
    };
    const waitLag0 = async (ms: number) => {
      const until = Date.now() + ms;
      while ((await lag()).lag > 0) {
        if (Date.now() > until) return false;
        await sleep(200);
      }
      return true;
    };
    const scrape = async () =>
      (await call(node.url, 'GET', '/metrics', undefined, null, { authorization: `Bearer ${METRICS_TOKEN}` }))
        .text;

    const callId = await openCall(node.url, f.world);
    for (let seq = 0; seq < 5; seq++)
      expect((await postSegment(node.url, f.world, callId, seq)).status).toBe(201);
    expect(await waitLag0(15_000)).toBe(true);

    await nats.stop();
    const downAt = Date.now();
    // The product keeps working: ingest, sign-in, reads.
    for (let seq = 5; seq < 25; seq++)
      expect((await postSegment(node.url, f.world, callId, seq)).status).toBe(201);
    const s = await loginAt(node.url, f.world.agent);
    expect(
      (await call(node.url, 'GET', `/api/v1/tenants/${f.world.slug}/conversations`, undefined, s)).status,
    ).toBe(200);
    const behind = await lag();
    expect(behind.lag).toBeGreaterThan(20);
    const m = await scrape();
    expect(m).toMatch(/vigil_cluster_bus_connected 0/);
    expect(m).toMatch(/vigil_siem_outbox_lag_events\{sink="nats"\} [1-9]/);
    const downMs = Date.now() - downAt;

    await nats.start();
    const upAt = Date.now();
    expect(await waitLag0(60_000)).toBe(true);
    const caughtUpMs = Date.now() - upAt;
    expect(await scrape()).toMatch(/vigil_siem_outbox_lag_events\{sink="nats"\} 0/);

    const nc = await connect({ servers: nats.url });
    const info = await (await nc.jetstreamManager()).streams.info('VIGIL_AUDIT');
    await nc.close();
    const { total } = await lag();
    expect(info.state.messages).toBe(total);
    console.log(
      JSON.stringify({
        fault: 'NATS down',
        natsDownMs: downMs,
        eventsBehindWhileDown: behind.lag,
        caughtUpMsAfterNatsBack: caughtUpMs,
        streamMessages: info.state.messages,
        auditEvents: total,
      }),
    );
  });
});
