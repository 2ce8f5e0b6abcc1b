// Per-tenant Cockpit enforcement settings: what happens to sites outside the catalogue, how long
// the extension keeps working without Vigil before it locks the tools, the heartbeat interval,
// how long Vigil waits for a silent extension and what it does then, and whether pairing needs a
// browser under enterprise policy. An agent working for several tenants gets the strictest of each.
import { sql } from 'drizzle-orm';
import Type from 'typebox';
import { rows, type Tx } from '../platform/db.ts';

export type UnlistedSites = 'block' | 'allow' | 'strip_cookies';
export type TamperAction = 'notify' | 'suspend' | 'both';

export interface CockpitSettings {
  requireActive: boolean;
  unlistedSites: UnlistedSites;
  offlineGraceSeconds: number;
  heartbeatSeconds: number;
  /** null: the deployment default (VIGIL_COCKPIT_HEARTBEAT_GRACE_SECONDS). */
  tamperGraceSeconds: number | null;
  /** null: 'both' (suspend and alert) for agents, 'notify' for everyone else. */
  tamperAction: TamperAction | null;
  requireManaged: boolean;
}

export const DEFAULT_SETTINGS: CockpitSettings = {
  requireActive: false,
  unlistedSites: 'allow',
  offlineGraceSeconds: 30,
  heartbeatSeconds: 10,
  tamperGraceSeconds: null,
  tamperAction: null,
  requireManaged: false,
};

export const SettingsBody = Type.Object(
  {
    requireActive: Type.Optional(Type.Boolean()),
    unlistedSites: Type.Optional(
      Type.Union([Type.Literal('block'), Type.Literal('allow'), Type.Literal('strip_cookies')]),
    ),
    offlineGraceSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
    heartbeatSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 300 })),
    tamperGraceSeconds: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 1, maximum: 3600 })])),
    tamperAction: Type.Optional(
      Type.Union([Type.Null(), Type.Literal('notify'), Type.Literal('suspend'), Type.Literal('both')]),
    ),
    requireManaged: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type SettingsPatch = Type.Static<typeof SettingsBody>;

interface SettingsRow {
  require_active: boolean;
  unlisted_sites: UnlistedSites;
  offline_grace_seconds: number;
  heartbeat_seconds: number;
  tamper_grace_seconds: number | null;
  tamper_action: TamperAction | null;
  require_managed: boolean;
}

export const settingsStore = {
  async get(tx: Tx, tenantId: string): Promise<CockpitSettings> {
    const [r] = await rows<SettingsRow>(
      tx,
      sql`select * from cockpit_settings where tenant_id = ${tenantId}`,
    );
    if (!r) return { ...DEFAULT_SETTINGS };
    return {
      requireActive: r.require_active,
      unlistedSites: r.unlisted_sites,
      offlineGraceSeconds: r.offline_grace_seconds,
      heartbeatSeconds: r.heartbeat_seconds,
      tamperGraceSeconds: r.tamper_grace_seconds,
      tamperAction: r.tamper_action,
      requireManaged: r.require_managed,
    };
  },
  async put(tx: Tx, tenantId: string, s: CockpitSettings): Promise<void> {
    await tx.execute(
      sql`insert into cockpit_settings (tenant_id, require_active, unlisted_sites, offline_grace_seconds,
            heartbeat_seconds, tamper_grace_seconds, tamper_action, require_managed)
          values (${tenantId}, ${s.requireActive}, ${s.unlistedSites}, ${s.offlineGraceSeconds},
            ${s.heartbeatSeconds}, ${s.tamperGraceSeconds}, ${s.tamperAction}, ${s.requireManaged})
          on conflict (tenant_id) do update set require_active = excluded.require_active,
            unlisted_sites = excluded.unlisted_sites, offline_grace_seconds = excluded.offline_grace_seconds,
            heartbeat_seconds = excluded.heartbeat_seconds, tamper_grace_seconds = excluded.tamper_grace_seconds,
            tamper_action = excluded.tamper_action, require_managed = excluded.require_managed, updated_at = now()`,
    );
  },
};

/** What the extension of an agent enforces: the strictest value over the agent's tenants. */
export interface EffectiveSettings {
  unlistedSites: UnlistedSites;
  offlineGraceSeconds: number;
  heartbeatSeconds: number;
  tamperGraceSeconds: number;
  requireManaged: boolean;
}

const STRICTNESS: UnlistedSites[] = ['allow', 'strip_cookies', 'block'];

export function effectiveSettings(all: CockpitSettings[], defaultTamperGrace: number): EffectiveSettings {
  const list = all.length ? all : [DEFAULT_SETTINGS];
  return {
    unlistedSites: list
      .map((s) => s.unlistedSites)
      .reduce((a, b) => (STRICTNESS.indexOf(b) > STRICTNESS.indexOf(a) ? b : a)),
    offlineGraceSeconds: Math.min(...list.map((s) => s.offlineGraceSeconds)),
    heartbeatSeconds: Math.min(...list.map((s) => s.heartbeatSeconds)),
    tamperGraceSeconds: Math.min(...list.map((s) => s.tamperGraceSeconds ?? defaultTamperGrace)),
    requireManaged: list.some((s) => s.requireManaged),
  };
}

/** The tenant's response to a silent extension, given the user's roles there. */
export function tamperActionFor(s: CockpitSettings, roles: string[]): TamperAction {
  return s.tamperAction ?? (roles.includes('agent') ? 'both' : 'notify');
}
