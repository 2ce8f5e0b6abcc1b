// A contact-center world on a real Vigil (real sockets, real database): two tenants, queues,
// agents in and out of queues, a supervisor, the chat widget and a telephony token.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { pgTextArray } from '../../src/ingest/index.ts';
import type { Config } from '../../src/platform/config.ts';
import { rows } from '../../src/platform/db.ts';
import { issueApiToken } from '../../src/tenancy/index.ts';
import { type Session, startTestVigil, type TestUser, type TestVigil } from '../helpers/app.ts';

export interface World {
  v: TestVigil;
  a: string;
  b: string;
  queueA1: string;
  queueA2: string;
  queueB: string;
  agentA1: TestUser;
  agentA2: TestUser;
  agentB: TestUser;
  supA: TestUser;
  voiceToken: string;
  s: { agentA1: Session; agentA2: Session; agentB: Session; supA: Session };
}

export const ORIGIN = { origin: 'http://localhost:5173' };

export async function startWorld(overrides: Partial<Config> = {}): Promise<World> {
  const v = await startTestVigil({ logLevel: 'info', ...overrides });
  const suffix = randomBytes(3).toString('hex');
  const a = await v.tenant(`cc-a-${suffix}`);
  const b = await v.tenant(`cc-b-${suffix}`);
  const slugA = `cc-a-${suffix}`;
  const slugB = `cc-b-${suffix}`;
  const agentA1 = await v.makeUser([{ role: 'agent', tenant: slugA }]);
  const agentA2 = await v.makeUser([{ role: 'agent', tenant: slugA }]);
  const agentB = await v.makeUser([{ role: 'agent', tenant: slugB }]);
  const supA = await v.makeUser([{ role: 'supervisor', tenant: slugA }]);
  const db = v.core.db;
  const setup = async (tenantId: string, queues: Array<[string, string[]]>) =>
    db.withTenant(tenantId, async (tx) => {
      const ids: string[] = [];
      for (const [name, members] of queues) {
        const [q] = await rows<{ id: string }>(
          tx,
          sql`insert into queues (tenant_id, name) values (${tenantId}, ${name}) returning id`,
        );
        for (const m of members)
          await tx.execute(
            sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenantId}, ${q!.id}, ${m})`,
          );
        ids.push(q!.id);
      }
      await tx.execute(sql`insert into chat_widget_settings (tenant_id, allowed_origins, queue_id)
        values (${tenantId}, ${pgTextArray(['http://localhost', 'http://127.0.0.1'])}::text[], ${ids[0]!})`);
      return ids;
    });
  const [queueA1, queueA2] = (await setup(a, [
    ['first', [agentA1.id]],
    ['second', [agentA2.id]],
  ])) as [string, string];
  const [queueB] = (await setup(b, [['only', [agentB.id]]])) as [string];
  const { token: voiceToken } = await issueApiToken(db, {
    tenantId: a,
    name: 'pbx',
    scopes: ['calls:write'],
  });
  const s = {
    agentA1: await v.login(agentA1),
    agentA2: await v.login(agentA2),
    agentB: await v.login(agentB),
    supA: await v.login(supA),
  };
  Object.assign(v, { slugA, slugB });
  return { v, a, b, queueA1, queueA2, queueB, agentA1, agentA2, agentB, supA, voiceToken, s };
}

export const slugs = (w: World) => w.v as unknown as { slugA: string; slugB: string };

/** Every byte the database holds: the PGlite data dir (gunzipped dump), or all text/bytea values (PostgreSQL). */
export async function databaseBytes(w: World): Promise<Buffer> {
  const db = w.v.core.db;
  if (db.pglite) {
    const dump = await db.pglite.dumpDataDir('gzip');
    return gunzipSync(Buffer.from(await dump.arrayBuffer()));
  }
  const cols = await db.withOwner((tx) =>
    rows<{ table_name: string; column_name: string }>(
      tx,
      sql`select table_name, column_name from information_schema.columns
          where table_schema = 'public' and data_type in ('text', 'bytea', 'jsonb', 'ARRAY', 'character varying')`,
    ),
  );
  const parts: Buffer[] = [];
  for (const c of cols) {
    const r = await db.withOwner((tx) =>
      rows<{ v: string | null }>(
        tx,
        sql`select ${sql.identifier(c.column_name)}::text as v from ${sql.identifier(c.table_name)}`,
      ),
    );
    for (const x of r) if (x.v) parts.push(Buffer.from(x.v));
  }
  return Buffer.concat(parts);
}

export async function auditCount(
  w: World,
  tenantId: string,
  action: string,
  resourceId?: string,
): Promise<number> {
  const [r] = await w.v.core.db.withOwner((tx) =>
    rows<{ n: number }>(
      tx,
      sql`select count(*)::int as n from audit_events where tenant_id = ${tenantId} and action = ${action}
          ${resourceId ? sql`and resource_id = ${resourceId}` : sql``}`,
    ),
  );
  return r!.n;
}

// A minimal typed view of the `ws` client (no @types/ws in the project).
export interface WsClient {
  on(ev: 'message', fn: (data: Buffer) => void): void;
  on(ev: 'open' | 'close' | 'pong', fn: () => void): void;
  once(ev: 'pong', fn: () => void): void;
  ping(): void;
  on(ev: 'error', fn: (e: Error) => void): void;
  on(ev: 'unexpected-response', fn: (req: unknown, res: { statusCode: number }) => void): void;
  send(data: string): void;
  close(): void;
}
const WS = createRequire(import.meta.url)('ws') as new (
  url: string,
  opts?: { headers?: Record<string, string> },
) => WsClient;

/**
 * Opens a WebSocket and collects parsed JSON messages; rejects with the HTTP status when refused.
 * Resolves on the server's hello (agent live channel and widget socket both send one once the
 * socket is registered): an event published before that would never reach it.
 */
export function openWs(url: string, headers: Record<string, string> = {}) {
  return new Promise<{
    ws: WsClient;
    messages: Array<Record<string, unknown>>;
    next(pred: (m: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
    /** Resolves once every frame the server sent before it has arrived (a ping's pong follows them). */
    drained(): Promise<void>;
  }>((resolve, reject) => {
    const ws = new WS(url, { headers });
    const messages: Array<Record<string, unknown>> = [];
    const waiters: Array<{
      pred: (m: Record<string, unknown>) => boolean;
      done: (m: Record<string, unknown>) => void;
    }> = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as Record<string, unknown>;
      messages.push(m);
      if (m.type === 'hello') ready();
      for (const w of [...waiters])
        if (w.pred(m)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.done(m);
        }
    });
    ws.on('unexpected-response', (_req, res) => reject(new Error(`ws refused ${res.statusCode}`)));
    ws.on('error', (e) => reject(e));
    ws.on('close', () => reject(new Error('ws closed before the hello')));
    const ready = () =>
      resolve({
        ws,
        messages,
        drained: () =>
          new Promise<void>((res) => {
            ws.once('pong', res);
            ws.ping();
          }),
        next(pred, ms = 15_000) {
          const hit = messages.find(pred);
          if (hit) return Promise.resolve(hit);
          return new Promise((res, rej) => {
            const t = setTimeout(() => rej(new Error('ws timeout')), ms);
            waiters.push({
              pred,
              done: (m) => {
                clearTimeout(t);
                res(m);
              },
            });
          });
        },
      });
  });
}

export const wsUrl = (w: World, path: string) => w.v.url.replace(/^http/, 'ws') + path;
