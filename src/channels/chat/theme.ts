// The widget's look per tenant (issue 25): colours, logo, position, language and the link of the
// consent notice. Tenant admins set it (validated, audited as `widget.theme`); the widget script
// carries it. Colours must keep WCAG AA contrast (4.5:1) for the text on them, so no tenant can
// make the widget unreadable; the logo and the privacy link must be https URLs.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import Type, { type Static } from 'typebox';
import { type AuditRecorder, userAction } from '../../platform/audit-port.ts';
import { tenantContextOf } from '../../platform/context.ts';
import { type Database, rows } from '../../platform/db.ts';
import { VigilError } from '../../platform/errors.ts';
import { errorResponses, TenantParams } from '../../platform/http-schemas.ts';

const Colour = Type.String({ pattern: '^#[0-9a-fA-F]{6}$' });
const HttpsUrl = Type.String({ pattern: '^https://[^\\s"<>]+$', maxLength: 500 });
export const ThemeSchema = Type.Object(
  {
    /** Launcher, header and send button. */
    primary: Colour,
    /** Text and icons on the primary colour. */
    onPrimary: Colour,
    position: Type.Union([Type.Literal('bottom-right'), Type.Literal('bottom-left')]),
    /** 'auto': the page's language, else the visitor's browser language. */
    language: Type.Union([Type.Literal('auto'), Type.Literal('de'), Type.Literal('en'), Type.Literal('fr')]),
    logoUrl: Type.Union([HttpsUrl, Type.Null()]),
    privacyUrl: Type.Union([HttpsUrl, Type.Null()]),
    title: Type.Union([Type.String({ minLength: 1, maxLength: 60 }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type WidgetTheme = Static<typeof ThemeSchema>;

export const DEFAULT_THEME: WidgetTheme = {
  primary: '#1f5fbf',
  onPrimary: '#ffffff',
  position: 'bottom-right',
  language: 'auto',
  logoUrl: null,
  privacyUrl: null,
  title: null,
};

const luminance = (hex: string) => {
  const c = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = c.map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)) as [
    number,
    number,
    number,
  ];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

/** WCAG 2 contrast ratio of two #rrggbb colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** A stored theme over the defaults (older or partial rows stay valid). */
export const themeOf = (stored: unknown): WidgetTheme => ({
  ...DEFAULT_THEME,
  ...(stored && typeof stored === 'object' ? (stored as Partial<WidgetTheme>) : {}),
});

export function widgetThemeRoutes(
  app: FastifyInstance,
  deps: { db: Database; audit: AuditRecorder; forget(slug: string): void },
) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const path = '/api/v1/tenants/:tenantSlug/widget/theme';
  const rule = { auth: { tenant: ['manage', 'TenantSettings'] as ['manage', 'TenantSettings'] } };
  r.get(
    path,
    {
      config: rule,
      schema: { tags: ['widget'], params: TenantParams, response: { 200: ThemeSchema, ...errorResponses } },
    },
    async (req) => {
      const ctx = tenantContextOf(req);
      const [row] = await deps.db.withTenant(ctx.tenant.id, (tx) =>
        rows<{ theme: unknown }>(tx, sql`select theme from chat_widget_settings`),
      );
      return themeOf(row?.theme);
    },
  );
  r.put(
    path,
    {
      config: rule,
      schema: {
        tags: ['widget'],
        params: TenantParams,
        body: ThemeSchema,
        response: { 200: ThemeSchema, ...errorResponses },
      },
    },
    async (req) => {
      const ctx = tenantContextOf(req);
      const theme = {
        ...req.body,
        primary: req.body.primary.toLowerCase(),
        onPrimary: req.body.onPrimary.toLowerCase(),
      };
      if (contrastRatio(theme.primary, theme.onPrimary) < 4.5)
        throw new VigilError(
          'unprocessable',
          'the text colour needs a contrast of at least 4.5:1 on the primary colour',
          {
            details: [{ path: 'onPrimary', message: 'contrast' }],
          },
        );
      await deps.db.withTenant(ctx.tenant.id, async (tx) => {
        await tx.execute(sql`insert into chat_widget_settings (tenant_id, theme) values (${ctx.tenant.id}, ${JSON.stringify(theme)}::jsonb)
            on conflict (tenant_id) do update set theme = excluded.theme, updated_at = now()`);
        await deps.audit.inTx(
          tx,
          userAction(ctx, 'widget.theme', 'tenant', ctx.tenant.id, {
            position: theme.position,
            language: theme.language,
            logo: theme.logoUrl !== null,
          }),
        );
      });
      deps.forget(ctx.tenant.slug);
      return theme;
    },
  );
}
