// The chat widget's rate limits: the platform's configuration (VIGIL_WIDGET_*), which a tenant
// may override for itself (a large customer behind one NAT, a load test). Stored per tenant in
// tenant_rate_limits; a null column means "the platform value".
import { sql } from 'drizzle-orm';
import Type, { type Static } from 'typebox';
import type { Config } from '../../platform/config.ts';
import { rows, type Tx } from '../../platform/db.ts';

export type PlatformWidgetLimits = Pick<
  Config,
  'widgetPerIpPerMinute' | 'widgetPerVisitorPerMinute' | 'widgetAnonymousPerIpPerMinute'
>;

export interface WidgetLimits {
  /** Requests per client address (all widget routes of the tenant). */
  perIp: number;
  /** Messages per visitor token. */
  perVisitor: number;
  /** Token-less first messages per client address and origin. */
  anonymousPerIp: number;
}

// One JSON-Schema type list, not anyOf: with the app's type coercion an anyOf with null would
// turn an invalid 0 into null (reset) instead of refusing it.
const Limit = Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 1, maximum: 1_000_000 });
export const TenantWidgetLimits = Type.Object(
  {
    widgetPerIpPerMinute: Type.Optional(Limit),
    widgetPerVisitorPerMinute: Type.Optional(Limit),
    widgetAnonymousPerIpPerMinute: Type.Optional(Limit),
  },
  { additionalProperties: false },
);
export type TenantWidgetLimits = Static<typeof TenantWidgetLimits>;

interface LimitRow {
  widget_per_ip_per_minute: number | null;
  widget_per_visitor_per_minute: number | null;
  widget_anonymous_per_ip_per_minute: number | null;
}

/** The tenant's own values (null where the platform's apply), in the tenant's transaction. */
export async function tenantWidgetLimits(tx: Tx): Promise<Required<TenantWidgetLimits>> {
  const [r] = await rows<LimitRow>(
    tx,
    sql`select widget_per_ip_per_minute, widget_per_visitor_per_minute, widget_anonymous_per_ip_per_minute
        from tenant_rate_limits`,
  );
  return {
    widgetPerIpPerMinute: r?.widget_per_ip_per_minute ?? null,
    widgetPerVisitorPerMinute: r?.widget_per_visitor_per_minute ?? null,
    widgetAnonymousPerIpPerMinute: r?.widget_anonymous_per_ip_per_minute ?? null,
  };
}

export async function setTenantWidgetLimits(tx: Tx, tenantId: string, v: TenantWidgetLimits): Promise<void> {
  const now = await tenantWidgetLimits(tx);
  const next = { ...now, ...v };
  await tx.execute(sql`insert into tenant_rate_limits as t (tenant_id, widget_per_ip_per_minute,
      widget_per_visitor_per_minute, widget_anonymous_per_ip_per_minute)
    values (${tenantId}, ${next.widgetPerIpPerMinute}, ${next.widgetPerVisitorPerMinute}, ${next.widgetAnonymousPerIpPerMinute})
    on conflict (tenant_id) do update set widget_per_ip_per_minute = excluded.widget_per_ip_per_minute,
      widget_per_visitor_per_minute = excluded.widget_per_visitor_per_minute,
      widget_anonymous_per_ip_per_minute = excluded.widget_anonymous_per_ip_per_minute, updated_at = now()`);
}

/** The limits in force: the tenant's value where it set one, the platform's otherwise. */
export function effectiveLimits(platform: PlatformWidgetLimits, own: TenantWidgetLimits): WidgetLimits {
  return {
    perIp: own.widgetPerIpPerMinute ?? platform.widgetPerIpPerMinute,
    perVisitor: own.widgetPerVisitorPerMinute ?? platform.widgetPerVisitorPerMinute,
    anonymousPerIp: own.widgetAnonymousPerIpPerMinute ?? platform.widgetAnonymousPerIpPerMinute,
  };
}
