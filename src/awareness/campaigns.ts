// Phishing simulation campaigns: the security role builds one from a template and a target group,
// launches it, and the leased sender job mails each recipient at its moment in the window over
// the outbound SMTP relay. Opens, clicks and submits arrive through the recipient's signed token.
import { randomUUID } from 'node:crypto';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database } from '../platform/db.ts';
import { notFound, VigilError } from '../platform/errors.ts';
import { type SimulationMailer, sendErrorCode } from './sender.ts';
import * as store from './store.ts';
import { LANGUAGES, type Language, renderMail, TEMPLATES, type TemplateKey } from './templates.ts';
import type { RecipientRef, TokenSigner } from './token.ts';

export interface CampaignInput {
  name: string;
  template: TemplateKey;
  language?: Language;
  targetRoles: string[];
  targetQueue?: string;
  windowStart: string;
  windowEnd: string;
}

export interface CampaignView {
  id: string;
  name: string;
  template: TemplateKey;
  language: Language | null;
  targetRoles: string[];
  targetQueue: string | null;
  windowStart: string;
  windowEnd: string;
  state: store.CampaignState;
  launchedAt: string | null;
  createdAt: string;
}

export const iso = (v: Date | string) => new Date(v).toISOString();
const isoOrNull = (v: Date | string | null) => (v ? iso(v) : null);

const toView = (c: store.CampaignRow): CampaignView => ({
  id: c.id,
  name: c.name,
  template: c.template,
  language: c.language,
  targetRoles: c.target_roles,
  targetQueue: c.target_queue,
  windowStart: iso(c.window_start),
  windowEnd: iso(c.window_end),
  state: c.state,
  launchedAt: isoOrNull(c.launched_at),
  createdAt: iso(c.created_at),
});

/** Spreads n send times over the window in a shuffled order, so neighbours are not warned together. */
export function spreadOverWindow(n: number, start: Date, end: Date): Date[] {
  const span = Math.max(0, end.getTime() - start.getTime());
  const slots = Array.from(
    { length: n },
    (_, i) => new Date(start.getTime() + (n > 1 ? (span * i) / (n - 1) : 0)),
  );
  for (let i = slots.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [slots[i], slots[j]] = [slots[j]!, slots[i]!];
  }
  return slots;
}

/**
 * One audit event per first occurrence (sent by the system, the rest by whoever holds the link):
 * the SIEM export and the metrics count them; the recipient is a pseudonymous id.
 */
const simulationEvent = (tenantId: string, recipientId: string, kind: store.EventKind) => ({
  tenantId,
  actorType: kind === 'sent' ? ('system' as const) : ('visitor' as const),
  actorId: null,
  action: `awareness.simulation.${kind}`,
  resourceType: 'phish_recipient',
  resourceId: recipientId,
  outcome: 'success' as const,
});

export interface CampaignDeps {
  db: Database;
  audit: AuditRecorder;
  signer: TokenSigner;
  mailer: SimulationMailer | null;
  hostname: string;
  /** Where links point: the public URL, or the bound address when none is configured. */
  baseUrl(): string;
  /** A click or a submit: the refresher assignment (training.ts). */
  onRisky(
    ref: RecipientRef,
    userId: string,
    campaignId: string,
    kind: 'clicked' | 'submitted',
    language: Language,
  ): Promise<void>;
}

export function createCampaignService(deps: CampaignDeps) {
  const { db, audit, signer } = deps;

  async function create(ctx: TenantContext, input: CampaignInput): Promise<CampaignView> {
    const start = new Date(input.windowStart);
    const end = new Date(input.windowEnd);
    if (end < start) throw new VigilError('invalid_input', 'the window ends before it starts');
    if (end.getTime() - start.getTime() > 30 * 86_400_000)
      throw new VigilError('invalid_input', 'a window spans at most 30 days');
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const c = await store.insertCampaign(tx, {
        tenantId: ctx.tenant.id,
        name: input.name,
        template: input.template,
        language: input.language ?? null,
        targetRoles: input.targetRoles,
        targetQueue: input.targetQueue ?? null,
        windowStart: start,
        windowEnd: end,
        createdBy: ctx.actor.id,
      });
      await audit.inTx(
        tx,
        userAction(ctx, 'awareness.campaign.create', 'phish_campaign', c.id, { template: c.template }),
      );
      return toView(c);
    });
  }

  async function launch(ctx: TenantContext, id: string): Promise<CampaignView & { recipients: number }> {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const c = await store.selectCampaign(tx, id);
      if (!c) throw notFound('campaign');
      if (c.state !== 'draft')
        throw new VigilError('campaign_not_draft', 'this campaign was launched already');
      const targets = await store.selectTargets(tx, ctx.tenant.id, c.target_roles, c.target_queue);
      if (!targets.length)
        throw new VigilError('no_recipients', 'nobody in the tenant matches the target group');
      const now = new Date();
      const start = new Date(Math.max(now.getTime(), new Date(c.window_start).getTime()));
      const end = new Date(Math.max(start.getTime(), new Date(c.window_end).getTime()));
      const times = spreadOverWindow(targets.length, start, end);
      const lang = (l: string): Language =>
        c.language ?? ((LANGUAGES as readonly string[]).includes(l) ? (l as Language) : 'en');
      await store.insertRecipients(
        tx,
        ctx.tenant.id,
        id,
        targets.map((t, i) => ({
          id: randomUUID(),
          userId: t.user_id,
          language: lang(t.locale),
          sendAt: times[i]!,
        })),
      );
      await store.markLaunched(tx, id);
      await audit.inTx(
        tx,
        userAction(ctx, 'awareness.campaign.launch', 'phish_campaign', id, { recipients: targets.length }),
      );
      return { ...toView({ ...c, state: 'running', launched_at: now }), recipients: targets.length };
    });
  }

  const links = (token: string) => ({
    link: `${deps.baseUrl()}/phish/c/${token}`,
    pixel: `${deps.baseUrl()}/phish/o/${token}`,
  });

  /** Sends one due mail; the row is marked only after the relay accepted it. */
  async function sendOne(tenantId: string, recipientId: string): Promise<boolean> {
    const r = await db.withTenant(tenantId, (tx) => store.selectOutbound(tx, recipientId));
    if (!r || r.sent_at) return false;
    const t = TEMPLATES[r.template][r.language];
    const { link, pixel } = links(signer.sign({ tenantId, recipientId }));
    try {
      if (!deps.mailer) throw Object.assign(new Error('no relay'), { code: 'no_relay' });
      await deps.mailer.send({
        from: `"${t.fromName}" <notice@${deps.hostname}>`,
        to: r.email,
        subject: t.subject,
        ...renderMail(t, link, pixel),
      });
    } catch (e) {
      await db.withTenant(tenantId, (tx) => store.markSendFailed(tx, recipientId, sendErrorCode(e)));
      return false;
    }
    await db.withTenant(tenantId, async (tx) => {
      await store.markSent(tx, recipientId);
      await store.recordEvent(tx, tenantId, recipientId, 'sent');
      await audit.inTx(tx, simulationEvent(tenantId, recipientId, 'sent'));
    });
    return true;
  }

  /** One pass of the sender job: every due recipient across tenants. Returns how many were sent. */
  async function sendDue(): Promise<number> {
    const due = await db.withOwner((tx) => store.selectDue(tx, 50));
    let sent = 0;
    for (const d of due) if (await sendOne(d.tenant_id, d.id)) sent++;
    if (due.length) await db.withOwner((tx) => store.finishCampaigns(tx));
    return sent;
  }

  /** An open, click or submit through a token: the template's lesson when the token is valid. */
  async function track(token: string, kind: 'opened' | 'clicked' | 'submitted') {
    const ref = signer.verify(token);
    if (!ref) return null;
    const r = await db.withTenant(ref.tenantId, async (tx) => {
      const rec = await store.selectRecipient(tx, ref.recipientId);
      if (!rec) return null;
      // A click implies the mail was opened (images are often blocked); a submit implies a click.
      const chain: store.EventKind[] =
        kind === 'submitted'
          ? ['opened', 'clicked', 'submitted']
          : kind === 'clicked'
            ? ['opened', 'clicked']
            : ['opened'];
      const fresh: store.EventKind[] = [];
      for (const k of chain) if (await store.recordEvent(tx, ref.tenantId, rec.id, k)) fresh.push(k);
      for (const k of fresh) await audit.inTx(tx, simulationEvent(ref.tenantId, rec.id, k));
      return { rec, fresh };
    });
    if (!r) return null;
    for (const k of r.fresh)
      if (k === 'clicked' || k === 'submitted')
        await deps.onRisky(ref, r.rec.user_id, r.rec.campaign_id, k, r.rec.language);
    return { template: TEMPLATES[r.rec.template][r.rec.language], language: r.rec.language, token };
  }

  return {
    create,
    launch,
    sendDue,
    track,
    list: (ctx: TenantContext) =>
      db.withTenant(ctx.tenant.id, async (tx) => (await store.selectCampaigns(tx)).map(toView)),
    async get(ctx: TenantContext, id: string): Promise<CampaignView> {
      const c = await db.withTenant(ctx.tenant.id, (tx) => store.selectCampaign(tx, id));
      if (!c) throw notFound('campaign');
      return toView(c);
    },
  };
}

export type CampaignService = ReturnType<typeof createCampaignService>;
