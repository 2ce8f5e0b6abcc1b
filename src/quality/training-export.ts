// Automation data export for chatbot / voice-bot training: only customers who opted in (consent
// purpose "training"), every text redacted with the strict policy (each detected span, token or
// mask becomes [TYPE], rescanned until clean), conversations as keyed pseudonyms, and k-anonymity
// on the quasi-identifiers (channel, language, month): records in groups smaller than k are
// suppressed. A manifest (who, when, why, counts, SHA-256 of the records) is stored and audited.
import { createHash } from 'node:crypto';
import type { Keyring } from '../crypto/index.ts';
import { auditBase } from '../ingest/index.ts';
import { scanText } from '../pii/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import type { Database, Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { detectLanguage } from '../translation/index.ts';
import * as store from './export-store.ts';
import { uid } from './service.ts';

export const QUASI_IDENTIFIERS = ['channel', 'language', 'month'] as const;
const MAX_RECORDS = 5000;
const STORED =
  /\[([A-Z_]+)(?::tok_[a-z0-9]{20})?\]|<([A-Z_]+)_[0-9a-f]{8}>|[\p{L}\p{N}]*\*[\p{L}\p{N}*]*(?:[ .\-/][\p{L}\p{N}*]+)*/gu;

/** Every span the engine finds (low threshold) and every stored form becomes [TYPE]; repeated until clean. */
export function strictRedact(text: string): string | null {
  let out = text.replace(STORED, (m, a?: string, b?: string) =>
    a || b ? `[${a ?? b}]` : m.length ? '[MASKED]' : m,
  );
  for (let round = 0; round < 3; round++) {
    const spans = scanText(out, { minScore: 0.3 });
    if (!spans.length) return out;
    let next = '';
    let at = 0;
    for (const s of spans) {
      next += `${out.slice(at, s.start)}[${s.type}]`;
      at = s.end;
    }
    out = next + out.slice(at);
  }
  return scanText(out, { minScore: 0.3 }).length ? null : out;
}

export interface TrainingRecord {
  conversation: string;
  channel: string;
  language: string;
  month: string;
  turns: Array<{ role: 'customer' | 'agent'; text: string }>;
}

/** Suppresses records whose quasi-identifier group has fewer than k members. */
export function kAnonymise<T extends Record<(typeof QUASI_IDENTIFIERS)[number], string>>(
  records: T[],
  k: number,
) {
  const key = (r: T) => QUASI_IDENTIFIERS.map((q) => r[q]).join('|');
  const sizes = new Map<string, number>();
  for (const r of records) sizes.set(key(r), (sizes.get(key(r)) ?? 0) + 1);
  const kept = records.filter((r) => (sizes.get(key(r)) ?? 0) >= k);
  return { kept, suppressed: records.length - kept.length };
}

export function createTrainingExport(deps: {
  db: Pick<Database, 'withTenant'>;
  keyring: Pick<Keyring, 'decryptFieldText' | 'blindIndex'>;
  audit: AuditRecorder;
}) {
  const { db, keyring, audit } = deps;

  async function recordsOf(
    tx: Tx,
    tenantId: string,
    list: store.ExportConversation[],
  ): Promise<TrainingRecord[]> {
    const byConversation = new Map<string, TrainingRecord['turns']>();
    for (const m of await store.messagesOf(
      tx,
      list.map((c) => c.id),
    )) {
      const plain = await keyring.decryptFieldText(
        { tenantId, table: 'messages', column: 'body_enc', rowId: m.id, subjectId: m.subject_id },
        Buffer.from(m.body_enc),
        tx,
      );
      const text = strictRedact(plain);
      if (text === null) continue;
      const turns = byConversation.get(m.conversation_id) ?? [];
      turns.push({ role: m.direction === 'inbound' ? 'customer' : 'agent', text });
      byConversation.set(m.conversation_id, turns);
    }
    const out: TrainingRecord[] = [];
    for (const c of list) {
      const turns = byConversation.get(c.id);
      if (!turns?.length) continue;
      const first = turns.find((t) => t.role === 'customer') ?? turns[0]!;
      const ix = await keyring.blindIndex(tenantId, 'customer_number', `trn${c.id.replace(/-/g, '')}`, tx);
      out.push({
        conversation: `v_${ix.toString('hex').slice(0, 16)}`,
        channel: c.channel,
        language: detectLanguage(first.text).language ?? 'und',
        month: c.month,
        turns,
      });
    }
    return out;
  }

  async function run(ctx: TenantContext, body: { reason: string; k?: number }) {
    const k = body.k ?? 5;
    if (k < 2) throw new VigilError('invalid_input', 'k must be at least 2');
    const reason = body.reason.replace(/[\p{C}]/gu, ' ').trim();
    const safeReason = strictRedact(reason)?.slice(0, 200) || 'redacted';
    const createdBy = uid(ctx);
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const { list, excluded } = await store.consentedConversations(tx, MAX_RECORDS);
      const { kept, suppressed } = kAnonymise(await recordsOf(tx, ctx.tenant.id, list), k);
      const sha256 = createHash('sha256').update(JSON.stringify(kept)).digest('hex');
      const quasiIdentifiers = [...QUASI_IDENTIFIERS];
      const row = await store.insertManifest(tx, {
        tenantId: ctx.tenant.id,
        createdBy,
        reason: safeReason,
        k,
        quasiIdentifiers,
        records: kept.length,
        suppressed,
        excluded,
        sha256,
      });
      await audit.inTx(tx, {
        ...auditBase(ctx),
        action: 'automation.export',
        resourceType: 'automation_export',
        resourceId: row.id,
        outcome: 'success',
        reason: safeReason,
        meta: { records: kept.length, suppressed, excluded, k, sha256 },
      });
      const manifest = {
        exportId: row.id,
        createdAt: new Date(row.created_at).toISOString(),
        createdBy,
        reason: safeReason,
        k,
        quasiIdentifiers,
        records: kept.length,
        suppressed,
        excludedNoConsent: excluded,
        sha256,
      };
      return { manifest, records: kept };
    });
  }

  return { run };
}

export type TrainingExport = ReturnType<typeof createTrainingExport>;
