// Event ingest from a paired extension into the tenants' audit logs. Every event carries the
// device's sequence number: an offline queue replayed twice is recorded once, and a jump in the
// sequence (events lost or withheld in the browser) is itself recorded as cockpit.event_gap.
import { sql } from 'drizzle-orm';
import type { AuditRecorder } from '../platform/audit-port.ts';
import { type Database, rows } from '../platform/db.ts';
import { normalizePath, originOf, templatePath } from './paths.ts';
import { type AgentScope, type Tool, toolState } from './rules.ts';
import { type DeviceRow, toolStore } from './store.ts';

export interface IngestEvent {
  kind: 'visit' | 'blocked' | 'download' | 'action';
  origin: string;
  path: string;
  reason?: string;
  /** State-changing requests (kind 'action'): the HTTP method and whether the rules let it pass. */
  method?: string;
  outcome?: 'allowed' | 'blocked';
  /** Per-device sequence number (1, 2, …) and when it happened in the browser (ms since epoch). */
  seq?: number;
  at?: number;
}

const REASONS = new Set([
  'path_forbidden',
  'path_not_allowed',
  'outside_hours',
  'not_permitted',
  'not_signed_in',
  'suspended',
  'path_ambiguous',
  'offline',
]);
const METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ACTION = { visit: 'cockpit.visit', blocked: 'cockpit.blocked', download: 'cockpit.download' };
const MAX_AGE_MS = 30 * 86_400_000;

interface Deps {
  db: Database;
  audit: AuditRecorder;
  clock: { now(): number };
  tenantsOwning(origin: string): Promise<string[]>;
}
interface Context {
  device: DeviceRow;
  scope: AgentScope;
  tools: Tool[];
}

/** Whether an event was a denial: blocked attempts and downloads, refused actions. */
function isDenied(e: IngestEvent, tool: Tool): boolean {
  if (e.kind === 'blocked') return true;
  if (e.kind === 'download') return tool.downloadPolicy === 'block';
  return e.kind === 'action' && e.outcome === 'blocked';
}

/**
 * How long before its recording the event happened in the browser (an offline queue replayed),
 * in whole seconds; a number, as audit meta refuses date-like digit runs.
 */
function delaySeconds(e: IngestEvent, now: number): number | null {
  if (!Number.isSafeInteger(e.at) || e.at! > now + 300_000 || e.at! < now - MAX_AGE_MS) return null;
  return Math.max(0, Math.round((now - e.at!) / 1000));
}

async function recordGap(deps: Deps, c: Context, after: number, next: number): Promise<void> {
  for (const tenantId of c.scope.roles.keys())
    await deps.audit.standalone({
      tenantId,
      actorType: 'system',
      actorId: null,
      action: 'cockpit.event_gap',
      resourceType: 'cockpit_device',
      resourceId: c.device.id,
      outcome: 'failure',
      meta: { userId: c.device.user_id, after, next, missing: next - after - 1 },
    });
}

async function recordOne(deps: Deps, c: Context, e: IngestEvent): Promise<number> {
  const origin = originOf(e.origin);
  if (!origin) return 0;
  const normal = normalizePath(e.path);
  const path = templatePath(normal ?? e.path);
  const d = c.device;
  const tool = c.tools.find((t) => t.origins.includes(origin));
  if (!tool) {
    // An origin catalogued only by tenants the agent does not work for.
    const owners = await deps.tenantsOwning(origin);
    for (const t of owners)
      await deps.audit.standalone({
        tenantId: t,
        actorType: 'user',
        actorId: d.user_id,
        action: 'cockpit.foreign_tool',
        resourceType: 'cockpit_origin',
        resourceId: null,
        outcome: 'denied',
        meta: { origin, path, deviceId: d.id },
      });
    return owners.length;
  }
  const now = deps.clock.now();
  const reason = e.reason && REASONS.has(e.reason) ? e.reason : null;
  const state = toolState(tool, c.scope, now);
  const denied = isDenied(e, tool);
  // A visit or action the rules should have stopped means the browser ran stale or tampered rules.
  const unexpected = (e.kind === 'visit' || (e.kind === 'action' && !denied)) && state !== null;
  const delay = delaySeconds(e, now);
  await deps.db.withTenant(tool.tenantId, async (tx) => {
    await deps.audit.inTx(tx, {
      tenantId: tool.tenantId,
      actorType: 'user',
      actorId: d.user_id,
      action: e.kind === 'action' ? 'cockpit.action' : ACTION[e.kind],
      resourceType: 'cockpit_tool',
      resourceId: tool.id,
      outcome: denied ? 'denied' : 'success',
      meta: {
        origin,
        path,
        deviceId: d.id,
        ...(e.kind === 'action' ? { method: METHODS.has(e.method ?? '') ? e.method! : 'OTHER' } : {}),
        ...(reason && denied ? { reason } : {}),
        ...(normal === null ? { ambiguous: true } : {}),
        ...(e.kind === 'download' ? { policy: tool.downloadPolicy } : {}),
        ...(unexpected ? { ruleState: state } : {}),
        ...(e.seq !== undefined ? { seq: e.seq } : {}),
        ...(delay !== null ? { delaySeconds: delay } : {}),
      },
    });
    const counter = denied ? 'blocked' : e.kind === 'download' ? 'downloads' : 'visits';
    await toolStore.bumpActivity(tx, tool.tenantId, d.user_id, tool.id, counter);
  });
  return 1;
}

export async function ingestEvents(deps: Deps, c: Context, events: IngestEvent[]): Promise<number> {
  const [row] = await deps.db.withPlatform((tx) =>
    rows<{ event_seq: string | number }>(
      tx,
      sql`select event_seq from cockpit_devices where id = ${c.device.id}`,
    ),
  );
  let last = Number(row?.event_seq ?? 0);
  const ordered = [...events].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  const mark = (seq: number) =>
    deps.db.withPlatform((tx) =>
      tx.execute(sql`update cockpit_devices set last_seen_at = now(), event_seq = greatest(event_seq, ${seq})
                     where id = ${c.device.id}`),
    );
  let n = 0;
  for (const e of ordered) {
    if (e.seq === undefined) {
      n += await recordOne(deps, c, e);
      continue;
    }
    if (e.seq <= last) continue; // already recorded (a replay after a lost answer)
    if (e.seq > last + 1) await recordGap(deps, c, last, e.seq);
    n += await recordOne(deps, c, e);
    last = e.seq;
    await mark(last); // per event: a failure halfway leaves no duplicates on the retry
  }
  await mark(last);
  return n;
}
