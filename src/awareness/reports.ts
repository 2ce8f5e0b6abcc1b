// Reported phishing: a member hands in a suspicious mail (console button, or forwarded to the
// phish-report address). A simulated mail of theirs counts as a success of the campaign; anything
// else is real: kept encrypted under the tenant key and opening a security alert, its metadata
// visible to the security role, its content only through an audited read.
import { createHash, randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type { Keyring } from '../crypto/index.ts';
import { registerEncryptedColumn } from '../crypto/index.ts';
import { type AuditRecorder, userAction } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database, Tx } from '../platform/db.ts';
import { notFound } from '../platform/errors.ts';
import * as store from './store.ts';
import { type TokenSigner, tokensIn } from './token.ts';

registerEncryptedColumn({ table: 'phish_reports', column: 'mail_enc' });

export const MAX_REPORT_BYTES = 512 * 1024;

export interface ReportOutcome {
  reportId: string;
  verdict: 'simulation' | 'suspicious';
}

/** Text a token could hide in: the raw source and its decoded text and HTML parts. */
async function searchableText(raw: string): Promise<string> {
  try {
    const m = await simpleParser(raw);
    return `${raw}\n${m.text ?? ''}\n${typeof m.html === 'string' ? m.html : ''}`;
  } catch {
    return raw;
  }
}

export function createReportService(deps: {
  db: Database;
  audit: AuditRecorder;
  keyring: Pick<Keyring, 'encryptField' | 'decryptFieldText'>;
  signer: TokenSigner;
}) {
  const { db, audit, keyring, signer } = deps;
  const field = (tenantId: string, id: string) => ({
    tenantId,
    table: 'phish_reports',
    column: 'mail_enc',
    rowId: id,
  });

  /** The reporter's own simulated mail among the tokens, if any. */
  async function ownSimulation(tx: Tx, tenantId: string, reporterId: string | null, tokens: string[]) {
    for (const t of tokens) {
      const ref = signer.verify(t);
      if (!ref || ref.tenantId !== tenantId) continue;
      const rec = await store.selectRecipient(tx, ref.recipientId);
      if (rec) return { rec, own: rec.user_id === reporterId };
    }
    return null;
  }

  async function report(
    tenantId: string,
    reporterId: string | null,
    raw: string,
    via: 'console' | 'smtp',
    ctx?: TenantContext,
  ): Promise<ReportOutcome> {
    const tokens = tokensIn(await searchableText(raw));
    const id = randomUUID();
    const sha256 = createHash('sha256').update(raw).digest('hex');
    const size = Buffer.byteLength(raw);
    return db.withTenant(tenantId, async (tx) => {
      const sim = await ownSimulation(tx, tenantId, reporterId, tokens);
      const verdict = sim ? 'simulation' : 'suspicious';
      if (sim?.own) await store.recordEvent(tx, tenantId, sim.rec.id, 'reported');
      const mailEnc = sim ? null : await keyring.encryptField(field(tenantId, id), raw, tx);
      await store.insertReport(tx, {
        id,
        tenantId,
        reporterId,
        via,
        verdict,
        recipientId: sim?.own ? sim.rec.id : null,
        size,
        sha256,
        mailEnc,
      });
      const meta = { verdict, via, size };
      await audit.inTx(
        tx,
        ctx
          ? userAction(ctx, 'phish.reported', 'phish_report', id, meta)
          : {
              tenantId,
              actorType: 'system',
              actorId: null,
              action: 'phish.reported',
              resourceType: 'phish_report',
              resourceId: id,
              outcome: 'success',
              meta: { ...meta, reporter: reporterId },
            },
      );
      return { reportId: id, verdict };
    });
  }

  return {
    report: (ctx: TenantContext, raw: string) => report(ctx.tenant.id, ctx.actor.id, raw, 'console', ctx),
    /** A mail forwarded to the phish-report address by a member of the tenant (SMTP intake). */
    /** Only members report: anything else is refused (null), so outsiders cannot raise alerts. */
    async reportBySmtp(
      tenantId: string,
      fromAddress: string | null,
      raw: string,
    ): Promise<ReportOutcome | null> {
      if (!fromAddress) return null;
      const member = await db.withTenant(tenantId, (tx) =>
        store.selectMemberByEmail(tx, tenantId, fromAddress),
      );
      return member ? report(tenantId, member.id, raw, 'smtp') : null;
    },
    async list(ctx: TenantContext) {
      const rs = await db.withTenant(ctx.tenant.id, (tx) => store.selectReports(tx));
      return rs.map((r) => ({
        id: r.id,
        reporterId: r.reporter_id,
        via: r.via,
        verdict: r.verdict,
        size: r.size,
        sha256: r.sha256,
        createdAt: new Date(r.created_at).toISOString(),
      }));
    },
    /** The quarantined source of a real report, for the security role; the read is audited first. */
    async mail(ctx: TenantContext, id: string): Promise<string> {
      return db.withTenant(ctx.tenant.id, async (tx) => {
        const r = await store.selectReportMail(tx, id);
        if (!r?.mail_enc) throw notFound('report');
        await audit.inTx(tx, userAction(ctx, 'phish.report.read', 'phish_report', id));
        return keyring.decryptFieldText(field(ctx.tenant.id, id), Buffer.from(r.mail_enc), tx);
      });
    },
  };
}

export type ReportService = ReturnType<typeof createReportService>;
