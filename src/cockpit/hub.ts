// The push channel to paired extensions (one WebSocket per browser, opened by the MV3 service
// worker) and the tamper watchdog. Single node: sockets live in this process; other nodes would
// fan out through NATS (issue ops) by calling pushRules/revokeUser on every node.
import type { CompiledRules } from './rules.ts';
import type { CockpitService, Device } from './service.ts';

export interface PushSocket {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

interface Conn {
  device: Device;
  socket: PushSocket;
  lastPing: number;
  rulesVersion: string | null;
}

export interface HubOptions {
  /** How often the watchdog looks for silent extensions is derived from this deployment grace. */
  heartbeatGraceMs: number;
  /** How often compiled rules are re-evaluated (allowed hours change with the clock). */
  refreshMs?: number;
  onError?: (e: unknown, where: string) => void;
}

export function createCockpitHub(cockpit: CockpitService, opts: HubOptions) {
  const conns = new Map<string, Set<Conn>>();
  const onError = opts.onError ?? (() => {});
  let closed = false;
  const startedAt = Date.now();

  const all = () => [...conns.values()].flatMap((s) => [...s]);
  const send = (c: Conn, msg: unknown) => {
    try {
      c.socket.send(JSON.stringify(msg));
    } catch (e) {
      onError(e, 'cockpit.push');
    }
  };

  async function pushRulesTo(c: Conn, rules?: CompiledRules): Promise<void> {
    const r = rules ?? (await cockpit.rulesFor(c.device.user_id));
    if (r.version === c.rulesVersion) return;
    c.rulesVersion = r.version;
    send(c, { type: 'rules', ...r });
  }

  /** Re-sends rules to a user's extensions (or everyone's when the catalogue changed). */
  async function pushRules(userId?: string): Promise<void> {
    const targets = all().filter((c) => !userId || c.device.user_id === userId);
    const byUser = new Map<string, CompiledRules>();
    for (const c of targets) {
      const r = byUser.get(c.device.user_id) ?? (await cockpit.rulesFor(c.device.user_id));
      byUser.set(c.device.user_id, r);
      await pushRulesTo(c, r);
    }
  }

  /** Session revoked, user suspended or locked: every extension of that user shuts the tools. */
  async function revokeUser(userId: string, reason = 'session_ended'): Promise<void> {
    for (const c of all().filter((x) => x.device.user_id === userId)) {
      const d = await cockpit.deviceById(c.device.id);
      if (d?.session_live && d.status === 'active') continue; // another session of the user was revoked
      send(c, { type: 'revoke', reason });
      if (d) await cockpit.endDevice(d, 'ended', reason);
    }
  }

  function attach(device: Device, socket: PushSocket): () => void {
    const c: Conn = { device, socket, lastPing: Date.now(), rulesVersion: null };
    const set = conns.get(device.id) ?? new Set<Conn>();
    set.add(c);
    conns.set(device.id, set);
    void pushRulesTo(c).catch((e) => onError(e, 'cockpit.rules'));
    return () => {
      set.delete(c);
      if (set.size === 0) conns.delete(device.id);
    };
  }

  async function ping(deviceId: string): Promise<void> {
    for (const c of conns.get(deviceId) ?? []) c.lastPing = Date.now();
    await cockpit.touch(deviceId);
  }

  /**
   * Active devices whose extension has missed its heartbeats past the grace (the tenant's, or
   * the deployment's) while the session lives. Silence is counted from this
   * process's start at the earliest: extensions reconnect after a Vigil restart.
   */
  async function watchdog(): Promise<void> {
    const now = Date.now();
    for (const d of await cockpit.activeDevices()) {
      const set = conns.get(d.id);
      const s = await cockpit.effectiveForUser(d.user_id);
      const grace = s.tamperGraceSeconds * 1000;
      const silentFor = now - Math.max(new Date(d.last_seen_at).getTime(), startedAt);
      // Connected but no longer renewing its token: a modified or stuck extension.
      const unrenewedFor = now - new Date(d.token_expires_at).getTime();
      if (set && unrenewedFor > grace && d.session_live) {
        await cockpit.recordTamper(d, 'token_not_renewed');
        continue;
      }
      if (silentFor < grace) continue;
      if (!d.session_live) {
        await cockpit.endDevice(d, 'ended', 'session_ended');
        continue;
      }
      if (await cockpit.recordTamper(d, 'heartbeat_lost'))
        for (const c of set ?? []) {
          send(c, { type: 'revoke', reason: 'suspended' });
          c.socket.close(4401, 'heartbeat lost');
        }
    }
  }

  /** Sessions also end without a revocation (idle or absolute expiry): shut those extensions too. */
  async function sweepSessions(): Promise<void> {
    for (const c of all()) {
      const d = await cockpit.deviceById(c.device.id);
      if (d?.status === 'active' && d.session_live) continue;
      send(c, { type: 'revoke', reason: 'session_ended' });
      if (d?.status === 'active') await cockpit.endDevice(d, 'ended', 'session_ended');
      c.socket.close(4401, 'session ended');
    }
  }

  const tick = Math.max(250, Math.min(5_000, Math.floor(opts.heartbeatGraceMs / 4)));
  const watchTimer = setInterval(() => {
    if (!closed) void watchdog().catch((e) => onError(e, 'cockpit.watchdog'));
  }, tick);
  watchTimer.unref();
  const refreshTimer = setInterval(() => {
    if (!closed)
      void sweepSessions()
        .then(() => pushRules())
        .catch((e) => onError(e, 'cockpit.refresh'));
  }, opts.refreshMs ?? 30_000);
  refreshTimer.unref();

  return {
    attach,
    ping,
    pushRules,
    revokeUser,
    watchdog,
    sweepSessions,
    connected: () => all().length,
    close() {
      closed = true;
      clearInterval(watchTimer);
      clearInterval(refreshTimer);
      for (const c of all()) c.socket.close(1001, 'server shutting down');
      conns.clear();
    },
  };
}

export type CockpitHub = ReturnType<typeof createCockpitHub>;
