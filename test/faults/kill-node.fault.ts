// kill -9 of a node during sustained ingest: after a restart (and the clients' retries) every
// acknowledged message is present exactly once, and `vigil audit verify` passes.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, pgliteDirFor, rows } from '../../src/platform/db.ts';
import { createPgDatabase } from './servers.ts';
import { openCall, postSegment, prepare, sleep } from './setup.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('fault: kill -9 during ingest', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  it.each(['postgres', 'pglite'] as const)(
    '%s: keeps every acknowledged message exactly once and the audit chain intact',
    async (engine) => {
      const pgdb = engine === 'postgres' ? await createPgDatabase() : null;
      if (pgdb) cleanup.push(() => pgdb.drop());
      const f = await prepare(pgdb?.url ?? '');
      let node = await f.node();
      cleanup.push(() => node.stop());
      const callId = await openCall(node.url, f.world);

      // Sustained ingest from 4 clients; each remembers what was acknowledged (201 + message id).
      const acked = new Map<number, string>();
      let nextSeq = 0;
      let stop = false;
      const client = async () => {
        while (!stop) {
          const seq = nextSeq++;
          try {
            const r = await postSegment(node.url, f.world, callId, seq);
            if (r.status === 201) acked.set(seq, r.json.segments[0].messageId);
          } catch {
            // the node died under this request: not acknowledged, the client retries later
          }
        }
      };
      const clients = [client(), client(), client(), client()];
      while (acked.size < 40) await sleep(20);
      await node.crash();
      stop = true;
      await Promise.all(clients);
      const sent = nextSeq;
      expect(acked.size).toBeGreaterThanOrEqual(40);
      console.log(
        JSON.stringify({
          fault: `kill -9 during ingest (${engine})`,
          sent,
          acknowledgedBeforeKill: acked.size,
        }),
      );

      // Restart; every client retries everything it sent (acknowledged or not), as at-least-once
      // clients do. Acknowledged segments must come back as the same message, not a new one.
      node = await f.node();
      for (let seq = 0; seq < sent; seq++) {
        const r = await postSegment(node.url, f.world, callId, seq);
        expect(r.status).toBe(201);
        const seg = r.json.segments[0];
        if (acked.has(seq)) {
          expect(seg.created).toBe(false);
          expect(seg.messageId).toBe(acked.get(seq));
        }
      }
      await node.stop();

      const db = await openDatabase(
        pgdb ? { databaseUrl: pgdb.url } : { pgliteDir: pgliteDirFor(f.env.VIGIL_DATA_DIR!) },
      );
      try {
        const [counts] = await db.withOwner((tx) =>
          rows<{ n: number; distinct_ids: number; torn: number }>(
            tx,
            sql`select count(*)::int as n, count(distinct idem_hash)::int as distinct_ids,
                count(*) filter (where m.body_enc is null)::int as torn
              from messages m join calls c on c.conversation_id = m.conversation_id where c.id = ${callId}`,
          ),
        );
        expect(counts!.n).toBe(sent);
        expect(counts!.distinct_ids).toBe(sent);
        expect(counts!.torn).toBe(0);
        const ids = [...acked.values()];
        const [present] = await db.withOwner((tx) =>
          rows<{ n: number }>(
            tx,
            sql`select count(*)::int as n from messages where id = any(${`{${ids.join(',')}}`}::uuid[])`,
          ),
        );
        expect(present!.n).toBe(ids.length);
      } finally {
        await db.close();
      }

      const verify = await promisify(execFile)(
        process.execPath,
        [join(ROOT, 'bin/vigil.mjs'), 'audit', 'verify'],
        {
          cwd: ROOT,
          env: { PATH: process.env.PATH ?? '', ...f.env, LOG_LEVEL: 'warn' },
        },
      );
      expect(verify.stdout).toMatch(/^ok /m);
      expect(verify.stdout).not.toMatch(/TAMPERED/);
    },
    300_000,
  );
});
