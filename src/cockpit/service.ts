// The Cockpit's server side: pairing, device-bound tokens tied to the Vigil session, the tool
// catalogue, rule compilation per agent, event ingest into the audit log, tamper records and
// the security officer's overview. Pushing to connected extensions is the hub's job (hub.ts).
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { randomToken, sha256 } from '../auth/tokens.ts';
import type { AuditEventInput, AuditRecorder } from '../platform/audit-port.ts';
import { type Database, rows } from '../platform/db.ts';
import { invalidInput, notFound, VigilError } from '../platform/errors.ts';
import { type IngestEvent, ingestEvents } from './ingest.ts';
import { originOf } from './paths.ts';
import { type AgentScope, type CompiledRules, compileRules, type Tool } from './rules.ts';
import {
  type CockpitSettings,
  type EffectiveSettings,
  effectiveSettings,
  type SettingsPatch,
  settingsStore,
  tamperActionFor,
} from './settings.ts';
import { type DeviceRow, deviceStore, type ToolInput, toolStore } from './store.ts';

export interface Clock {
  now(): number;
}

export interface CockpitDeps {
  db: Database;
  audit: AuditRecorder;
  clock?: Clock;
  /** Lifetime of a device token; the extension renews at half-life while the session lives. */
  tokenTtlSeconds?: number;
  /** Silence before tampering is recorded, for tenants that did not set their own. */
  defaultTamperGraceSeconds?: number;
  /** Vigil's public origin: stays reachable when a tenant blocks sites outside the catalogue. */
  publicUrl?: string;
  /** The tamper response 'suspend': ends every Vigil session of the user. */
  revokeSessions?: (userId: string, reason: string) => Promise<unknown>;
}

export type CockpitEvent = IngestEvent;

export interface PairResult {
  deviceId: string;
  token: string;
  expiresAt: string;
  uninstallSecret: string;
}

const PAIRING_TTL_MS = 2 * 60_000;
const RENEW_SKEW_MS = 2 * 60_000;
const SETTINGS_TTL_MS = 5_000;

export type Device = DeviceRow;

export function createCockpitService(deps: CockpitDeps) {
  const { db, audit } = deps;
  const clock = deps.clock ?? { now: Date.now };
  const ttlMs = (deps.tokenTtlSeconds ?? 600) * 1000;

  const system = (
    tenantId: string | null,
    action: string,
    userId: string,
    meta: AuditEventInput['meta'],
    outcome: AuditEventInput['outcome'] = 'success',
  ): AuditEventInput => ({
    tenantId,
    actorType: 'system',
    actorId: null,
    action,
    resourceType: 'user',
    resourceId: userId,
    outcome,
    ...(meta ? { meta } : {}),
  });

  // ---- catalogue -------------------------------------------------------------------------
  const catalogue = new Map<string, Tool[]>();
  async function toolsOf(tenantId: string): Promise<Tool[]> {
    const hit = catalogue.get(tenantId);
    if (hit) return hit;
    const list = await db.withTenant(tenantId, (tx) => toolStore.list(tx, tenantId));
    catalogue.set(tenantId, list);
    return list;
  }
  let allTenants: { at: number; ids: string[] } | null = null;
  async function tenantsOwning(origin: string): Promise<string[]> {
    if (!allTenants || clock.now() - allTenants.at > 30_000) {
      const ids = await db.withPlatform((tx) =>
        rows<{ id: string }>(tx, sql`select id from tenants where status = 'active'`),
      );
      allTenants = { at: clock.now(), ids: ids.map((r) => r.id) };
    }
    const out: string[] = [];
    for (const id of allTenants.ids)
      if ((await toolsOf(id)).some((t) => t.origins.includes(origin))) out.push(id);
    return out;
  }

  /**
   * The tenants and queues the user works for. `withSuspended` keeps suspended memberships: only
   * for recording events the extension queued before a suspension, which belong in that tenant's
   * audit log all the same.
   */
  async function scopeOf(userId: string, withSuspended = false): Promise<AgentScope> {
    const ms = await db.withPlatform((tx) =>
      rows<{ tenant_id: string; role: string }>(
        tx,
        sql`select m.tenant_id, m.role from memberships m join tenants t on t.id = m.tenant_id
            where m.user_id = ${userId} and t.status = 'active' and (${withSuspended} or not exists (
              select 1 from membership_suspensions ms where ms.tenant_id = m.tenant_id and ms.user_id = m.user_id))`,
      ),
    );
    const roles = new Map<string, string[]>();
    for (const m of ms) roles.set(m.tenant_id, [...(roles.get(m.tenant_id) ?? []), m.role]);
    const queues = new Map<string, string[]>();
    for (const tenantId of roles.keys()) {
      const q = await db.withTenant(tenantId, (tx) =>
        rows<{ queue_id: string }>(tx, sql`select queue_id from queue_members where user_id = ${userId}`),
      );
      queues.set(
        tenantId,
        q.map((r) => String(r.queue_id)),
      );
    }
    return { roles, queues };
  }

  async function toolsFor(scope: AgentScope): Promise<Tool[]> {
    const out: Tool[] = [];
    for (const tenantId of scope.roles.keys()) out.push(...(await toolsOf(tenantId)));
    return out;
  }

  // Short-lived per node: another node's change arrives within SETTINGS_TTL_MS.
  const settingsCache = new Map<string, { at: number; s: CockpitSettings }>();
  async function settingsOf(tenantId: string): Promise<CockpitSettings> {
    const hit = settingsCache.get(tenantId);
    if (hit && clock.now() - hit.at < SETTINGS_TTL_MS) return hit.s;
    const s = await db.withTenant(tenantId, (tx) => settingsStore.get(tx, tenantId));
    settingsCache.set(tenantId, { at: clock.now(), s });
    return s;
  }
  async function effectiveFor(scope: AgentScope): Promise<EffectiveSettings> {
    const all = await Promise.all([...scope.roles.keys()].map(settingsOf));
    return effectiveSettings(all, deps.defaultTamperGraceSeconds ?? 20);
  }

  async function rulesFor(userId: string): Promise<CompiledRules> {
    const scope = await scopeOf(userId);
    const e = await effectiveFor(scope);
    const vigil = deps.publicUrl ? originOf(deps.publicUrl) : null;
    return compileRules(await toolsFor(scope), scope, clock.now(), {
      settings: {
        unlistedSites: e.unlistedSites,
        offlineGraceSeconds: e.offlineGraceSeconds,
        heartbeatSeconds: e.heartbeatSeconds,
      },
      vigilOrigins: vigil ? [vigil] : [],
    });
  }

  // ---- pairing and tokens ------------------------------------------------------------------
  async function createPairingCode(
    userId: string,
    sessionId: string,
  ): Promise<{ code: string; expiresAt: string }> {
    const code = randomToken(15);
    const expiresAt = new Date(clock.now() + PAIRING_TTL_MS);
    await db.withPlatform((tx) =>
      tx.execute(sql`insert into cockpit_pairing_codes (code_hash, user_id, session_id, expires_at)
                     values (${sha256(code)}, ${userId}, ${sessionId}, ${expiresAt})`),
    );
    return { code, expiresAt: expiresAt.toISOString() };
  }

  function publicKeyOf(jwk: unknown) {
    const k = jwk as Record<string, unknown>;
    if (
      typeof k !== 'object' ||
      !k ||
      k.kty !== 'EC' ||
      k.crv !== 'P-256' ||
      typeof k.x !== 'string' ||
      typeof k.y !== 'string' ||
      'd' in k
    )
      throw invalidInput('publicKey must be a P-256 public JWK');
    try {
      return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: k.x, y: k.y }, format: 'jwk' });
    } catch {
      throw invalidInput('publicKey must be a P-256 public JWK');
    }
  }

  async function pair(
    code: string,
    publicKey: unknown,
    version: string,
    managed = false,
  ): Promise<PairResult> {
    publicKeyOf(publicKey);
    if (!managed) {
      const [c] = await db.withPlatform((tx) =>
        rows<{ user_id: string }>(
          tx,
          sql`select user_id from cockpit_pairing_codes where code_hash = ${sha256(code)} and used_at is null`,
        ),
      );
      if (c && (await effectiveFor(await scopeOf(c.user_id))).requireManaged)
        throw new VigilError(
          'forbidden',
          'this tenant requires the Cockpit installed by enterprise policy (managed browser)',
        );
    }
    const token = randomToken();
    const uninstallSecret = randomToken();
    const expiresAt = new Date(clock.now() + ttlMs);
    const r = await db.withPlatform(async (tx) => {
      const [c] = await rows<{ user_id: string; session_id: string }>(
        tx,
        sql`update cockpit_pairing_codes p set used_at = now()
            from sessions s join users u on u.id = s.user_id
            where p.code_hash = ${sha256(code)} and p.used_at is null and p.expires_at > now()
              and s.id = p.session_id and s.revoked_at is null and s.idle_expires_at > now()
              and s.absolute_expires_at > now() and u.status = 'active'
            returning p.user_id, p.session_id`,
      );
      if (!c) return null;
      const jwk = publicKey as Record<string, string>;
      const [d] = await rows<{ id: string }>(
        tx,
        sql`insert into cockpit_devices (user_id, session_id, public_key, token_hash, token_expires_at, uninstall_hash, extension_version, managed)
            values (${c.user_id}, ${c.session_id}, ${JSON.stringify({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y })}::jsonb,
                    ${sha256(token)}, ${expiresAt}, ${sha256(uninstallSecret)}, ${version}, ${managed}) returning id`,
      );
      await audit.inTx(tx, {
        tenantId: null,
        actorType: 'user',
        actorId: c.user_id,
        action: 'cockpit.pair',
        resourceType: 'cockpit_device',
        resourceId: d!.id,
        outcome: 'success',
        meta: { sessionId: c.session_id, managed },
      });
      return d!.id;
    });
    if (!r) throw new VigilError('unauthenticated', 'the pairing code is invalid or expired');
    return { deviceId: r, token, expiresAt: expiresAt.toISOString(), uninstallSecret };
  }

  /** The device behind a bearer token; a token whose Vigil session died ends with it. */
  async function authenticate(bearer: string | undefined): Promise<Device> {
    if (!bearer) throw new VigilError('unauthenticated', 'a Cockpit token is required');
    const d = await db.withPlatform((tx) => deviceStore.byTokenHash(tx, sha256(bearer)));
    if (d?.status !== 'active' || !d.token_live)
      throw new VigilError('unauthenticated', 'the Cockpit token is invalid or expired');
    if (!d.session_live) {
      await endDevice(d, 'ended', 'session_ended');
      throw new VigilError('unauthenticated', 'the Vigil session has ended');
    }
    return d;
  }

  /**
   * For event ingest only: a device whose session or access ended still delivers what it queued
   * before (an offline queue replayed after a suspension), as long as its token has not expired.
   */
  async function authenticateEvents(bearer: string | undefined): Promise<Device> {
    if (!bearer) throw new VigilError('unauthenticated', 'a Cockpit token is required');
    const d = await db.withPlatform((tx) => deviceStore.byTokenHash(tx, sha256(bearer)));
    if (!d?.token_live || d.status === 'signed_out')
      throw new VigilError('unauthenticated', 'the Cockpit token is invalid or expired');
    if (d.status === 'active' && !d.session_live) await endDevice(d, 'ended', 'session_ended');
    return d;
  }

  /** A fresh token, only for the key the device paired with (proof of possession). */
  async function renew(
    d: Device,
    ts: number,
    signature: string,
  ): Promise<{ token: string; expiresAt: string }> {
    if (!Number.isSafeInteger(ts) || Math.abs(clock.now() - ts) > RENEW_SKEW_MS)
      throw new VigilError('unauthenticated', 'the renewal proof is stale');
    let ok = false;
    try {
      ok = verifySignature(
        'sha256',
        Buffer.from(`vigil-cockpit-renew:${d.id}:${ts}`),
        { key: publicKeyOf(d.public_key), dsaEncoding: 'ieee-p1363' },
        Buffer.from(signature, 'base64url'),
      );
    } catch {
      ok = false;
    }
    if (!ok) throw new VigilError('unauthenticated', 'the renewal proof is invalid');
    const token = randomToken();
    const expiresAt = new Date(clock.now() + ttlMs);
    await db.withPlatform((tx) =>
      tx.execute(sql`update cockpit_devices set token_hash = ${sha256(token)}, token_expires_at = ${expiresAt}, last_seen_at = now()
                     where id = ${d.id} and status = 'active'`),
    );
    return { token, expiresAt: expiresAt.toISOString() };
  }

  async function endDevice(
    d: Pick<Device, 'id' | 'user_id'>,
    status: Device['status'],
    reason: string,
  ): Promise<boolean> {
    return db.withPlatform(async (tx) => {
      const ended = await deviceStore.end(tx, d.id, status, reason);
      if (ended)
        await audit.inTx(tx, {
          ...system(null, status === 'signed_out' ? 'cockpit.signout' : 'cockpit.end', d.user_id, {
            reason,
            deviceId: d.id,
          }),
          ...(status === 'signed_out' ? { actorType: 'user' as const, actorId: d.user_id } : {}),
        });
      return ended;
    });
  }

  /**
   * The extension went silent, was disabled or removed while the Vigil session lives: recorded in
   * every tenant of the user, then each tenant's response (tamperActionFor): 'notify' raises the
   * cockpit_tamper alert, 'suspend' revokes the user's Vigil sessions (the Cockpit token died with
   * the device above), 'both' does both.
   */
  async function recordTamper(
    d: Device,
    reason: 'uninstalled' | 'heartbeat_lost' | 'token_not_renewed',
  ): Promise<boolean> {
    const current = await db.withPlatform((tx) => deviceStore.byId(tx, d.id));
    if (current?.status !== 'active') return false;
    if (!current.session_live) {
      await endDevice(current, 'ended', 'session_ended');
      return false;
    }
    if (!(await db.withPlatform((tx) => deviceStore.end(tx, d.id, 'tampered', reason)))) return false;
    const roles = (await scopeOf(d.user_id)).roles;
    let suspend = false;
    for (const [t, mine] of roles.size ? roles : new Map([[null, []]])) {
      const action = t ? tamperActionFor(await settingsOf(t), mine) : 'notify';
      suspend ||= action !== 'notify';
      await audit.standalone(
        system(
          t,
          'cockpit.tamper',
          d.user_id,
          { reason, deviceId: d.id, response: action, notify: action !== 'suspend' },
          'failure',
        ),
      );
    }
    if (suspend && deps.revokeSessions) await deps.revokeSessions(d.user_id, `cockpit_tamper:${reason}`);
    return true;
  }

  async function uninstalled(deviceId: string, secret: string): Promise<boolean> {
    const [d] = await db.withPlatform((tx) =>
      rows<{ id: string }>(
        tx,
        sql`select id from cockpit_devices where id = ${deviceId} and uninstall_hash = ${sha256(secret)}`,
      ),
    );
    if (!d) return false;
    const dev = await db.withPlatform((tx) => deviceStore.byId(tx, deviceId));
    return dev ? recordTamper(dev, 'uninstalled') : false;
  }

  // ---- events ------------------------------------------------------------------------------
  async function ingest(d: Device, events: CockpitEvent[]): Promise<number> {
    const scope = await scopeOf(d.user_id, true);
    return ingestEvents(
      { db, audit, clock, tenantsOwning },
      { device: d, scope, tools: await toolsFor(scope) },
      events,
    );
  }

  // ---- tenant administration -------------------------------------------------------------
  async function changed<T>(tenantId: string, fn: () => Promise<T>): Promise<T> {
    const r = await fn();
    catalogue.delete(tenantId);
    return r;
  }

  return {
    rulesFor,
    createPairingCode,
    pair,
    authenticate,
    authenticateEvents,
    renew,
    ingest,
    recordTamper,
    uninstalled,
    endDevice,
    signOut: (d: Device) => endDevice(d, 'signed_out', 'user'),
    activeDevices: (userIds?: string[]) => db.withPlatform((tx) => deviceStore.active(tx, userIds)),
    touch: (id: string) => db.withPlatform((tx) => deviceStore.touch(tx, id)),
    deviceById: (id: string) => db.withPlatform((tx) => deviceStore.byId(tx, id)),
    listTools: (tenantId: string) => db.withTenant(tenantId, (tx) => toolStore.list(tx, tenantId)),
    createTool: (tenantId: string, t: ToolInput, event: AuditEventInput) =>
      changed(tenantId, () =>
        db.withTenant(tenantId, async (tx) => {
          const tool = await toolStore.insert(tx, tenantId, t);
          await audit.inTx(tx, { ...event, resourceId: tool.id });
          return tool;
        }),
      ),
    updateTool: (tenantId: string, id: string, t: ToolInput, event: AuditEventInput) =>
      changed(tenantId, () =>
        db.withTenant(tenantId, async (tx) => {
          const tool = await toolStore.update(tx, tenantId, id, t);
          if (!tool) throw notFound('tool');
          await audit.inTx(tx, { ...event, resourceId: tool.id });
          return tool;
        }),
      ),
    deleteTool: (tenantId: string, id: string, event: AuditEventInput) =>
      changed(tenantId, () =>
        db.withTenant(tenantId, async (tx) => {
          if (!(await toolStore.remove(tx, tenantId, id))) throw notFound('tool');
          await audit.inTx(tx, { ...event, resourceId: id });
        }),
      ),
    requireActive: async (tenantId: string) => (await settingsOf(tenantId)).requireActive,
    settingsOf,
    effectiveForUser: async (userId: string) => effectiveFor(await scopeOf(userId)),
    rolesOf: async (userId: string) => (await scopeOf(userId)).roles,
    updateSettings: (tenantId: string, patch: SettingsPatch, event: AuditEventInput) =>
      db.withTenant(tenantId, async (tx) => {
        const next = { ...(await settingsStore.get(tx, tenantId)), ...patch };
        await settingsStore.put(tx, tenantId, next);
        await audit.inTx(tx, event);
        settingsCache.delete(tenantId);
        return next;
      }),
    /** Security officer view: agents of the tenant with their Cockpit state and tool activity. */
    async overview(tenantId: string) {
      const members = await db.withPlatform((tx) =>
        rows<{ user_id: string }>(
          tx,
          sql`select distinct user_id from memberships where tenant_id = ${tenantId}`,
        ),
      );
      const ids = members.map((m) => m.user_id);
      const devices = ids.length ? await db.withPlatform((tx) => deviceStore.active(tx, ids)) : [];
      const activity = await db.withTenant(tenantId, (tx) => toolStore.activity(tx, tenantId));
      return ids.map((userId) => {
        const live = devices.filter((d) => d.user_id === userId && d.session_live);
        const mine = activity.filter((a) => a.user_id === userId);
        return {
          userId,
          cockpitActive: live.length > 0,
          lastSeenAt: live[0] ? new Date(live[0].last_seen_at).toISOString() : null,
          tools: mine.map((a) => ({
            toolId: a.tool_id,
            visits: a.visits,
            blocked: a.blocked,
            downloads: a.downloads,
            lastAt: new Date(a.last_at).toISOString(),
          })),
        };
      });
    },
    /** A tenant that requires the Cockpit: does this user have a live one? */
    async hasLiveCockpit(userId: string): Promise<boolean> {
      const d = await db.withPlatform((tx) => deviceStore.active(tx, [userId]));
      return d.some((x) => x.session_live);
    },
  };
}

export type CockpitService = ReturnType<typeof createCockpitService>;
