// Data access for the Cockpit. Tenant tables (tools, settings, activity) run inside
// withTenant; devices and pairing codes are platform rows bound to a user's Vigil session.
import { type SQL, sql } from 'drizzle-orm';
import type { Schedule } from '../monitoring/types.ts';
import { rows, type Tx } from '../platform/db.ts';
import type { DownloadPolicy, Tool } from './rules.ts';

const textArray = (a: string[]): SQL =>
  sql`array(select jsonb_array_elements_text(${JSON.stringify(a)}::jsonb))`;
const uuidArray = (a: string[]): SQL =>
  sql`array(select jsonb_array_elements_text(${JSON.stringify(a)}::jsonb)::uuid)`;

interface ToolRow {
  id: string;
  tenant_id: string;
  name: string;
  origins: string[];
  allowed_paths: string[];
  forbidden_paths: string[];
  roles: string[];
  queues: string[];
  allowed_hours: Schedule | null;
  download_policy: DownloadPolicy;
  enabled: boolean;
}

const toTool = (r: ToolRow): Tool => ({
  id: r.id,
  tenantId: r.tenant_id,
  name: r.name,
  origins: r.origins,
  allowedPaths: r.allowed_paths,
  forbiddenPaths: r.forbidden_paths,
  roles: r.roles,
  queues: r.queues.map(String),
  allowedHours: r.allowed_hours,
  downloadPolicy: r.download_policy,
  enabled: r.enabled,
});

export type ToolInput = Omit<Tool, 'id' | 'tenantId'>;

export interface DeviceRow {
  id: string;
  user_id: string;
  session_id: string;
  public_key: Record<string, string>;
  status: 'active' | 'signed_out' | 'ended' | 'tampered';
  token_expires_at: Date | string;
  last_seen_at: Date | string;
  /** Whether the bound Vigil session is live (not revoked or expired) and the user active. */
  session_live: boolean;
}

const DEVICE_COLUMNS = sql`d.id, d.user_id, d.session_id, d.public_key, d.status, d.token_expires_at, d.last_seen_at,
  (s.revoked_at is null and s.idle_expires_at > now() and s.absolute_expires_at > now() and u.status = 'active') as session_live`;

export const toolStore = {
  async list(tx: Tx, tenantId: string): Promise<Tool[]> {
    return (
      await rows<ToolRow>(
        tx,
        sql`select * from cockpit_tools where tenant_id = ${tenantId} order by name, id`,
      )
    ).map(toTool);
  },
  async insert(tx: Tx, tenantId: string, t: ToolInput): Promise<Tool> {
    const [r] = await rows<ToolRow>(
      tx,
      sql`insert into cockpit_tools (tenant_id, name, origins, allowed_paths, forbidden_paths, roles, queues,
            allowed_hours, download_policy, enabled)
          values (${tenantId}, ${t.name}, ${textArray(t.origins)}, ${textArray(t.allowedPaths)},
            ${textArray(t.forbiddenPaths)}, ${textArray(t.roles)}, ${uuidArray(t.queues)},
            ${t.allowedHours ? JSON.stringify(t.allowedHours) : null}::jsonb, ${t.downloadPolicy}, ${t.enabled})
          returning *`,
    );
    return toTool(r!);
  },
  async update(tx: Tx, tenantId: string, id: string, t: ToolInput): Promise<Tool | undefined> {
    const [r] = await rows<ToolRow>(
      tx,
      sql`update cockpit_tools set name = ${t.name}, origins = ${textArray(t.origins)},
            allowed_paths = ${textArray(t.allowedPaths)}, forbidden_paths = ${textArray(t.forbiddenPaths)},
            roles = ${textArray(t.roles)}, queues = ${uuidArray(t.queues)},
            allowed_hours = ${t.allowedHours ? JSON.stringify(t.allowedHours) : null}::jsonb,
            download_policy = ${t.downloadPolicy}, enabled = ${t.enabled}, updated_at = now()
          where tenant_id = ${tenantId} and id = ${id} returning *`,
    );
    return r ? toTool(r) : undefined;
  },
  async remove(tx: Tx, tenantId: string, id: string): Promise<boolean> {
    const r = await rows<{ id: string }>(
      tx,
      sql`delete from cockpit_tools where tenant_id = ${tenantId} and id = ${id} returning id`,
    );
    return r.length > 0;
  },
  async bumpActivity(
    tx: Tx,
    tenantId: string,
    userId: string,
    toolId: string,
    kind: 'visits' | 'blocked' | 'downloads',
  ): Promise<void> {
    const col = sql.raw(kind);
    await tx.execute(
      sql`insert into cockpit_activity (tenant_id, user_id, tool_id, ${col}) values (${tenantId}, ${userId}, ${toolId}, 1)
          on conflict (tenant_id, user_id, tool_id) do update set ${col} = cockpit_activity.${col} + 1, last_at = now()`,
    );
  },
  async activity(
    tx: Tx,
    tenantId: string,
  ): Promise<
    Array<{
      user_id: string;
      tool_id: string;
      visits: number;
      blocked: number;
      downloads: number;
      last_at: Date | string;
    }>
  > {
    return rows(
      tx,
      sql`select user_id, tool_id, visits, blocked, downloads, last_at from cockpit_activity
          where tenant_id = ${tenantId} order by last_at desc limit 500`,
    );
  },
};

export const deviceStore = {
  async byTokenHash(tx: Tx, hash: Buffer): Promise<(DeviceRow & { token_live: boolean }) | undefined> {
    return (
      await rows<DeviceRow & { token_live: boolean }>(
        tx,
        sql`select ${DEVICE_COLUMNS}, (d.token_expires_at > now()) as token_live
            from cockpit_devices d join sessions s on s.id = d.session_id join users u on u.id = d.user_id
            where d.token_hash = ${hash}`,
      )
    )[0];
  },
  async byId(tx: Tx, id: string): Promise<DeviceRow | undefined> {
    return (
      await rows<DeviceRow>(
        tx,
        sql`select ${DEVICE_COLUMNS} from cockpit_devices d join sessions s on s.id = d.session_id
            join users u on u.id = d.user_id where d.id = ${id}`,
      )
    )[0];
  },
  /** Active devices (paired and not ended); the watchdog and the officer view read these. */
  async active(tx: Tx, userIds?: string[]): Promise<DeviceRow[]> {
    const filter = userIds
      ? sql`and d.user_id in (select jsonb_array_elements_text(${JSON.stringify(userIds)}::jsonb)::uuid)`
      : sql``;
    return rows<DeviceRow>(
      tx,
      sql`select ${DEVICE_COLUMNS} from cockpit_devices d join sessions s on s.id = d.session_id
          join users u on u.id = d.user_id where d.status = 'active' ${filter} order by d.last_seen_at desc limit 1000`,
    );
  },
  async end(tx: Tx, id: string, status: DeviceRow['status'], reason: string): Promise<boolean> {
    const r = await rows<{ id: string }>(
      tx,
      sql`update cockpit_devices set status = ${status}, ended_at = now(), ended_reason = ${reason}
          where id = ${id} and status = 'active' returning id`,
    );
    return r.length > 0;
  },
  async touch(tx: Tx, id: string): Promise<void> {
    await tx.execute(sql`update cockpit_devices set last_seen_at = now() where id = ${id}`);
  },
};
