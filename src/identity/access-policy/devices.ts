// Registered devices: a random device key in an httpOnly cookie, stored as SHA-256, bound to the
// session that first presents it. Where a tenant's policy asks for it, a supervisor of that
// tenant approves each new device before it reaches the tenant's data.
import { sql } from 'drizzle-orm';
import { randomToken, sha256 } from '../../auth/tokens.ts';
import { type AuditRecorder, userAction } from '../../platform/audit-port.ts';
import type { RequestContext, TenantContext } from '../../platform/context.ts';
import { type Database, rows, type Tx } from '../../platform/db.ts';
import { notFound, VigilError } from '../../platform/errors.ts';

export const DEVICE_COOKIE = 'vigil_device';

export type DeviceRefusal = 'unregistered' | 'device_mismatch' | 'pending' | 'rejected';

export interface DeviceApprovalView {
  deviceId: string;
  userId: string;
  status: 'pending' | 'approved' | 'rejected';
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
}

/**
 * Inside the tenant transaction: is the request's device admitted? Binds the session to the device
 * on first use and files a pending approval for a device the tenant has not seen.
 */
const TOUCH_EVERY_MS = 60_000;

export async function checkDevice(
  tx: Tx,
  p: { tenantId: string; userId: string; sessionId: string; deviceToken: string | undefined },
): Promise<{ ok: true; deviceId: string } | { ok: false; reason: DeviceRefusal; deviceId: string | null }> {
  if (!p.deviceToken) return { ok: false, reason: 'unregistered', deviceId: null };
  // One read in the common case (known device, bound session, decided approval); writes only
  // when something is new.
  const [d] = await rows<{
    id: string;
    last_seen_at: Date | string;
    bound: string | null;
    status: 'pending' | 'approved' | 'rejected' | null;
  }>(
    tx,
    sql`select d.id, d.last_seen_at,
               (select device_id from session_devices where session_id = ${p.sessionId}) as bound,
               (select status from device_approvals a where a.device_id = d.id) as status
        from user_devices d
        where d.token_hash = ${sha256(p.deviceToken)} and d.user_id = ${p.userId} and d.revoked_at is null`,
  );
  if (!d) return { ok: false, reason: 'unregistered', deviceId: null };
  if (d.bound && d.bound !== d.id) return { ok: false, reason: 'device_mismatch', deviceId: d.id };
  if (!d.bound)
    await tx.execute(
      sql`insert into session_devices (session_id, device_id) values (${p.sessionId}, ${d.id}) on conflict do nothing`,
    );
  if (Date.now() - new Date(d.last_seen_at).getTime() > TOUCH_EVERY_MS)
    await tx.execute(sql`update user_devices set last_seen_at = now() where id = ${d.id}`);
  if (d.status === 'approved') return { ok: true, deviceId: d.id };
  if (d.status === null)
    await tx.execute(
      sql`insert into device_approvals (tenant_id, device_id, user_id) values (${p.tenantId}, ${d.id}, ${p.userId})
          on conflict (tenant_id, device_id) do nothing`,
    );
  return { ok: false, reason: d.status === 'rejected' ? 'rejected' : 'pending', deviceId: d.id };
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

export function createDeviceService(deps: { db: Database; audit: AuditRecorder }) {
  const { db, audit } = deps;
  return {
    /** A new device key for the signed-in user; the current session is bound to it. */
    async register(ctx: RequestContext): Promise<{ deviceId: string; token: string }> {
      const token = randomToken();
      const deviceId = await db.withPlatform(async (tx) => {
        const [d] = await rows<{ id: string }>(
          tx,
          sql`insert into user_devices (user_id, token_hash, ua_hash) values (${ctx.actor.id}, ${sha256(token)}, ${ctx.uaHash}) returning id`,
        );
        if (ctx.actor.sessionId)
          await tx.execute(
            sql`insert into session_devices (session_id, device_id) values (${ctx.actor.sessionId}, ${d!.id})
                on conflict (session_id) do update set device_id = excluded.device_id, bound_at = now()`,
          );
        await audit.inTx(tx, userAction(ctx, 'device.register', 'device', d!.id));
        return d!.id;
      });
      return { deviceId, token };
    },

    listApprovals: (tenantId: string, status?: string): Promise<DeviceApprovalView[]> =>
      db.withTenant(tenantId, async (tx) =>
        (
          await rows<{
            device_id: string;
            user_id: string;
            status: DeviceApprovalView['status'];
            requested_at: Date;
            decided_by: string | null;
            decided_at: Date | null;
          }>(
            tx,
            sql`select device_id, user_id, status, requested_at, decided_by, decided_at from device_approvals
                ${status ? sql`where status = ${status}` : sql``} order by requested_at desc limit 500`,
          )
        ).map((r) => ({
          deviceId: r.device_id,
          userId: r.user_id,
          status: r.status,
          requestedAt: iso(r.requested_at)!,
          decidedBy: r.decided_by,
          decidedAt: iso(r.decided_at),
        })),
      ),

    async decide(ctx: TenantContext, deviceId: string, approve: boolean): Promise<void> {
      await db.withTenant(ctx.tenant.id, async (tx) => {
        const [owner] = await rows<{ user_id: string }>(
          tx,
          sql`select user_id from device_approvals where device_id = ${deviceId}`,
        );
        // Four eyes: nobody approves their own device.
        if (owner?.user_id === ctx.actor.id)
          throw new VigilError('forbidden', 'a device is approved by someone else');
        const r = await rows<{ user_id: string }>(
          tx,
          sql`update device_approvals set status = ${approve ? 'approved' : 'rejected'}, decided_by = ${ctx.actor.id}, decided_at = now()
              where device_id = ${deviceId} returning user_id`,
        );
        if (!r.length) throw notFound('device');
        await audit.inTx(
          tx,
          userAction(ctx, approve ? 'device.approve' : 'device.reject', 'device', deviceId, {
            subjectUser: r[0]!.user_id,
          }),
        );
      });
    },
  };
}

export type DeviceService = ReturnType<typeof createDeviceService>;
