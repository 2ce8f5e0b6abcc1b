// `npm run bench -- --scale [--sizes 10000,100000,1000000] [--pg URL]`: costs that must follow
// the work, not the tenant's history (issue 33). One tenant grows through the real ingest
// (batched: many ingestInTx calls per transaction) to each size; at each size, after ANALYZE, the
// subject export of a 500-conversation customer and of a one-conversation customer, every inbox
// filter's first page, the customer list and a customer lookup are measured: time (median),
// statements per export, and the EXPLAIN (ANALYZE, BUFFERS) of the main query (buffers touched and
// whether anything scans sequentially). Growth is reported as the ratio to the smallest size.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { abilityFor, type Role } from '../src/authz/roles.ts';
import { systemContext } from '../src/ingest/index.ts';
import { loadConfig } from '../src/platform/config.ts';
import type { TenantContext } from '../src/platform/context.ts';
import { type Database, openDatabase, rows, type Tx } from '../src/platform/db.ts';
import { createPrivacyService } from '../src/privacy/index.ts';
import { startVigil } from '../src/runtime.ts';
import { round } from './util.ts';

const TEXT = 'Guten Tag, meine Bestellung 4711-2231 ist noch nicht da. Bitte um Rückruf unter 0171 2345678.';
const TARGET_CONVERSATIONS = 500;
const BATCH = 100;
const dialect = new PgDialect();

/** A database whose tenant transactions record their statements (for counts and EXPLAIN). */
function recordingDb(db: Database) {
  const rec = { on: false, statements: [] as SQL[], perTx: [] as number[] };
  const wrap = (tx: Tx, slot: number): Tx =>
    new Proxy(tx, {
      get(target, prop, recv) {
        if (prop !== 'execute') return Reflect.get(target, prop, recv);
        return (q: SQL) => {
          if (rec.on) {
            rec.statements.push(q);
            rec.perTx[slot] = (rec.perTx[slot] ?? 0) + 1;
          }
          return target.execute(q);
        };
      },
    });
  const wrapped: Database = {
    ...db,
    kind: db.kind,
    ...(db.pglite ? { pglite: db.pglite } : {}),
    withTenant: (id, fn) => {
      const slot = rec.perTx.push(0) - 1;
      return db.withTenant(id, (tx) => fn(wrap(tx, slot)));
    },
  };
  return { wrapped, rec };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

interface PlanSummary {
  buffers: number;
  seqScan: boolean;
  nodes: string[];
}

function summarise(plan: Record<string, unknown>): PlanSummary {
  const nodes: string[] = [];
  let seqScan = false;
  const walk = (n: Record<string, unknown>) => {
    const type = String(n['Node Type']);
    if (type === 'Seq Scan') seqScan = true;
    nodes.push(n['Index Name'] ? `${type} ${String(n['Index Name'])}` : type);
    for (const c of (n.Plans as Array<Record<string, unknown>> | undefined) ?? []) walk(c);
  };
  walk(plan);
  const buffers = Number(plan['Shared Hit Blocks'] ?? 0) + Number(plan['Shared Read Blocks'] ?? 0);
  return { buffers, seqScan, nodes: [...new Set(nodes)] };
}

export async function benchScale(opts: { sizes: number[]; databaseUrl?: string | undefined }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-scale-'));
  const config = loadConfig(
    {},
    { port: 0, dataDir, logLevel: 'warn', ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}) },
  );
  const raw = await openDatabase({ databaseUrl: opts.databaseUrl });
  const { wrapped, rec } = recordingDb(raw);
  const v = await startVigil(config, { db: wrapped });
  try {
    const contact = v.app.contact!;
    const privacy = createPrivacyService({
      db: wrapped,
      keyring: v.core.keyring,
      audit: v.core.audit,
      auditLog: v.core.auditLog,
    });
    const slug = `bench-scale-${Date.now().toString(36)}`;
    const tenant = await v.tenancy.createTenant({ slug, name: 'Scale' });
    const ref = { id: tenant.id, slug, name: 'Scale' };
    const agent = await v.tenancy.createUser({
      email: `agent-${slug}@bench.test`,
      displayName: 'Agent',
      password: `pw-${Math.random().toString(36).slice(2)}-Aa1!x9`,
      memberships: [{ role: 'agent', tenantId: tenant.id }],
    });
    const sup = await v.tenancy.createUser({
      email: `sup-${slug}@bench.test`,
      displayName: 'Supervisor',
      password: `pw-${Math.random().toString(36).slice(2)}-Aa1!x9`,
      memberships: [{ role: 'supervisor', tenantId: tenant.id }],
    });
    const [q1, q2] = await raw.withTenant(tenant.id, async (tx) => {
      const ids: string[] = [];
      for (const name of ['first', 'second']) {
        const [q] = await rows<{ id: string }>(
          tx,
          sql`insert into queues (tenant_id, name) values (${tenant.id}, ${name}) returning id`,
        );
        ids.push(q!.id);
      }
      await tx.execute(
        sql`insert into queue_members (tenant_id, queue_id, user_id) values (${tenant.id}, ${ids[0]!}, ${agent.id})`,
      );
      return ids as [string, string];
    });
    const as = (id: string, role: Role): TenantContext => ({
      ...systemContext(ref, { actor: { type: 'user', id } }),
      roles: [role],
      ability: abilityFor([role]),
    });
    const supCtx = as(sup.id, 'supervisor');
    const agentCtx = as(agent.id, 'agent');
    const ingestCtx = systemContext(ref);

    const spacing = Math.max(1, Math.floor((opts.sizes[0] ?? 10_000) / TARGET_CONVERSATIONS));
    // The one-conversation customer: the first conversation that is not the target's.
    const singleAt = spacing > 1 ? 1 : TARGET_CONVERSATIONS;
    let seeded = 0;
    let single = '';
    let target = '';
    /** Conversations i in [seeded, upTo) through the real ingest, BATCH per transaction. */
    async function seedTo(upTo: number) {
      const t0 = performance.now();
      const from = seeded;
      while (seeded < upTo) {
        const end = Math.min(upTo, seeded + BATCH);
        const pending: string[] = [];
        await raw.withTenant(tenant.id, async (tx) => {
          for (let i = seeded; i < end; i++) {
            // The target customer's 500 conversations all fall within the smallest size.
            const isTarget = i < TARGET_CONVERSATIONS * spacing && i % spacing === 0;
            const isSingle = i === singleAt;
            const email = isTarget
              ? 'target@bench.test'
              : isSingle
                ? 'single@bench.test'
                : `s${Math.floor(i / 5)}@bench.test`;
            const channel = i % 10 === 3 ? 'email' : 'chat';
            const r = await contact.ingest.ingestInTx(tx, ingestCtx, {
              channel,
              direction: 'inbound',
              author: { type: 'customer', id: null },
              text: TEXT,
              idempotencyKey: `${channel}:bench-${i}`,
              newConversation: { channel, customer: { email }, queueId: i % 2 ? q2 : q1 },
            });
            if (i % 4 === 0)
              await contact.ingest.ingestInTx(tx, ingestCtx, {
                channel,
                direction: 'inbound',
                author: { type: 'customer', id: null },
                text: 'Noch eine Frage dazu.',
                conversationId: r.conversationId,
              });
            if (isTarget) target = r.customerId;
            if (isSingle) single = r.customerId;
            if (i % 1000 === 7) pending.push(r.conversationId);
          }
        });
        for (const id of pending) await contact.conversations.update(supCtx, id, { status: 'pending' });
        seeded = end;
      }
      return {
        conversations: upTo - from,
        perSecond: round((upTo - from) / ((performance.now() - t0) / 1000), 0),
      };
    }

    /** Runs op `times` times; the median time, the statements of its largest transaction, its main query's plan. */
    async function measure(op: () => Promise<unknown>, pick: RegExp, times = 5) {
      await op(); // warm caches
      const ms: number[] = [];
      let statements = 0;
      let main: SQL | undefined;
      for (let k = 0; k < times; k++) {
        rec.statements = [];
        const slot = rec.perTx.length;
        rec.on = true;
        const t0 = performance.now();
        await op();
        ms.push(performance.now() - t0);
        rec.on = false;
        statements = Math.max(0, ...rec.perTx.slice(slot));
        main = rec.statements.find((q) => pick.test(dialect.sqlToQuery(q).sql)) ?? main;
      }
      let plan: PlanSummary | null = null;
      if (main) {
        const [p] = await raw.withTenant(tenant.id, (tx) =>
          rows<{ 'QUERY PLAN': unknown }>(tx, sql`explain (analyze, buffers, format json) ${main}`),
        );
        const doc = p?.['QUERY PLAN'];
        const parsed = (typeof doc === 'string' ? JSON.parse(doc) : doc) as Array<{
          Plan: Record<string, unknown>;
        }>;
        plan = summarise(parsed[0]!.Plan);
      }
      return { ms: round(median(ms), 2), statements, plan };
    }

    const inbox = (ctx: TenantContext, q: Record<string, string>) => () =>
      contact.conversations.list(ctx, { ...q, limit: 50 });
    const operations: Record<string, () => Promise<Awaited<ReturnType<typeof measure>>>> = {
      exportTarget: () => measure(() => privacy.exportSubject(supCtx, target), /from audit_events/, 3),
      exportSingle: () => measure(() => privacy.exportSubject(supCtx, single), /from audit_events/, 3),
      inboxAll: () => measure(inbox(supCtx, {}), /from conversations/),
      inboxPending: () => measure(inbox(supCtx, { status: 'pending' }), /from conversations/),
      inboxEmail: () => measure(inbox(supCtx, { channel: 'email' }), /from conversations/),
      inboxQueue: () => measure(inbox(supCtx, { queue: q2 }), /from conversations/),
      inboxUnassigned: () => measure(inbox(supCtx, { assignee: 'none' }), /from conversations/),
      inboxAssignee: () => measure(inbox(supCtx, { assignee: agent.id }), /from conversations/),
      inboxCustomer: () => measure(inbox(supCtx, { customer: target }), /from conversations/),
      inboxAgentScope: () => measure(inbox(agentCtx, {}), /from conversations/),
      inboxAgentPending: () => measure(inbox(agentCtx, { status: 'pending' }), /from conversations/),
      customerList: () => measure(() => contact.customers.list(supCtx, { limit: 50 }), /from customers/),
      customerLookup: () =>
        measure(
          () => contact.customers.lookup(supCtx, { email: 'target@bench.test' }),
          /customer_identifiers/,
        ),
    };

    const sizes: Array<Record<string, unknown>> = [];
    for (const size of opts.sizes) {
      const seed = await seedTo(size);
      await raw.withOwner((tx) => tx.execute(sql`analyze`));
      const ops: Record<string, unknown> = {};
      for (const [name, run] of Object.entries(operations)) ops[name] = await run();
      sizes.push({ conversations: size, seed, operations: ops });
    }
    return { db: raw.kind, sizes, ratios: ratiosToSmallest(sizes) };
  } finally {
    await v.stop();
  }
}

/** Per operation and size: time and buffers as multiples of the smallest size's. */
function ratiosToSmallest(sizes: Array<Record<string, unknown>>) {
  type Op = { ms: number; plan: PlanSummary | null };
  const first = sizes[0]?.operations as Record<string, Op> | undefined;
  if (!first) return {};
  const out: Record<string, Record<string, { time: number; buffers: number | null }>> = {};
  for (const name of Object.keys(first)) {
    out[name] = {};
    for (const s of sizes) {
      const op = (s.operations as Record<string, Op>)[name]!;
      const base = first[name]!;
      out[name]![String(s.conversations)] = {
        time: round(op.ms / Math.max(base.ms, 0.01), 2),
        buffers: op.plan && base.plan ? round(op.plan.buffers / Math.max(base.plan.buffers, 1), 2) : null,
      };
    }
  }
  return out;
}
