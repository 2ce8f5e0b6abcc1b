// The voice channel for telephony integrations: call records, recording consent, transcript
// segments (each through the ingest pipeline with channel 'voice', so spoken card numbers are
// found and redacted), end of call, and a recording reference kept only with granted consent.
import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Keyring } from '../../crypto/index.ts';
import { registerEncryptedColumn } from '../../crypto/index.ts';
import { auditBase, type EventSink, type Ingest, type IngestResult } from '../../ingest/index.ts';
import type { AuditRecorder } from '../../platform/audit-port.ts';
import type { TenantContext } from '../../platform/context.ts';
import { type Database, rows, type Tx } from '../../platform/db.ts';
import { VigilError } from '../../platform/errors.ts';

for (const column of ['from_enc', 'to_enc', 'recording_ref_enc'])
  registerEncryptedColumn({ table: 'calls', column });

export interface VoiceDeps {
  db: Pick<Database, 'withTenant'>;
  keyring: Pick<Keyring, 'encryptField'>;
  audit: AuditRecorder;
  ingest: Pick<Ingest, 'ingestInTx' | 'openConversationInTx' | 'publish'>;
  events: EventSink;
}

export interface NewCall {
  from: string;
  to: string;
  direction: 'inbound' | 'outbound';
  startedAt?: string;
  queueId?: string;
  externalId?: string;
  language?: string;
}

export interface Segment {
  seq: number;
  speaker: 'customer' | 'agent' | 'ivr' | 'other';
  text: string;
  startMs?: number;
  endMs?: number;
}

interface CallRow {
  id: string;
  conversation_id: string;
  subject_id: string;
  consent: 'unknown' | 'granted' | 'denied';
  ended_at: Date | string | null;
  queue_id: string | null;
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex');

export function createVoiceService(deps: VoiceDeps) {
  const { db, keyring, audit, ingest } = deps;

  async function load(tx: Tx, callId: string, forUpdate = true): Promise<CallRow> {
    const [c] = await rows<CallRow>(
      tx,
      sql`select id, conversation_id, subject_id, consent, ended_at, queue_id from calls where id = ${callId} ${forUpdate ? sql`for update` : sql``}`,
    );
    if (!c) throw new VigilError('not_found', 'call not found');
    return c;
  }

  const event = (
    ctx: TenantContext,
    action: string,
    callId: string,
    meta: Record<string, string | number | boolean | null> = {},
  ) => ({
    ...auditBase(ctx),
    action,
    resourceType: 'call',
    resourceId: callId,
    outcome: 'success' as const,
    meta,
  });

  async function createCall(ctx: TenantContext, c: NewCall) {
    const tenantId = ctx.tenant.id;
    const r = await db.withTenant(tenantId, async (tx) => {
      const ext = c.externalId ? hash(c.externalId) : null;
      if (ext) {
        const [dup] = await rows<{ id: string; conversation_id: string }>(
          tx,
          sql`select id, conversation_id from calls where external_hash = ${ext}`,
        );
        if (dup)
          return { callId: dup.id, conversationId: dup.conversation_id, created: false, queueId: null };
      }
      const customerPhone = c.direction === 'inbound' ? c.from : c.to;
      const opened = await ingest.openConversationInTx(tx, ctx, {
        channel: 'voice',
        customer: { phone: customerPhone, ...(c.language ? { language: c.language } : {}) },
        ...(c.queueId ? { queueId: c.queueId } : {}),
      });
      const callId = randomUUID();
      const enc = (column: string, v: string) =>
        keyring.encryptField(
          { tenantId, table: 'calls', column, rowId: callId, subjectId: opened.customerId },
          v,
          tx,
        );
      await tx.execute(sql`insert into calls (id, tenant_id, conversation_id, subject_id, direction, from_enc, to_enc, external_hash, queue_id, started_at)
        values (${callId}, ${tenantId}, ${opened.conversationId}, ${opened.customerId}, ${c.direction}, ${await enc('from_enc', c.from)},
          ${await enc('to_enc', c.to)}, ${ext}, ${opened.queueId}, ${c.startedAt ? new Date(c.startedAt) : new Date()})`);
      await audit.inTx(
        tx,
        event(ctx, 'call.create', callId, {
          conversationId: opened.conversationId,
          customerId: opened.customerId,
          direction: c.direction,
        }),
      );
      return { callId, conversationId: opened.conversationId, created: true, queueId: opened.queueId };
    });
    if (r.created)
      deps.events.publish({
        type: 'conversation.created',
        tenantId,
        conversationId: r.conversationId,
        queueId: r.queueId,
        assigneeId: null,
      });
    return { callId: r.callId, conversationId: r.conversationId, created: r.created };
  }

  async function consent(
    ctx: TenantContext,
    callId: string,
    body: { consent: 'granted' | 'denied'; method: 'ivr' | 'agent' },
  ) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      await load(tx, callId);
      // Withdrawn consent also drops a recording reference already kept.
      await tx.execute(sql`update calls set consent = ${body.consent}, consent_method = ${body.method}, consent_at = now(),
          recording_ref_enc = case when ${body.consent} = 'granted' then recording_ref_enc else null end
        where id = ${callId}`);
      await audit.inTx(
        tx,
        event(ctx, 'call.consent', callId, { consent: body.consent, method: body.method }),
      );
      return { callId, consent: body.consent, method: body.method };
    });
  }

  async function transcript(ctx: TenantContext, callId: string, segments: Segment[]) {
    const results: IngestResult[] = [];
    const out = await db.withTenant(ctx.tenant.id, async (tx) => {
      const call = await load(tx, callId);
      const ids: Array<{ seq: number; messageId: string; created: boolean }> = [];
      for (const s of segments) {
        const r = await ingest.ingestInTx(tx, ctx, {
          channel: 'voice',
          kind: 'transcript',
          direction: s.speaker === 'agent' ? 'outbound' : 'inbound',
          author: {
            type: s.speaker === 'agent' ? 'agent' : s.speaker === 'customer' ? 'customer' : 'system',
            id: null,
          },
          text: s.text,
          conversationId: call.conversation_id,
          idempotencyKey: `voice:${callId}:${s.seq}`,
          deliveryState: 'received',
          voice: {
            speaker: s.speaker,
            ...(s.startMs !== undefined ? { startMs: s.startMs } : {}),
            ...(s.endMs !== undefined ? { endMs: s.endMs } : {}),
          },
          auditAction: 'call.transcript',
        });
        results.push(r);
        ids.push({ seq: s.seq, messageId: r.messageId, created: r.created });
      }
      return ids;
    });
    for (const r of results) ingest.publish(ctx, r);
    return { callId, segments: out };
  }

  async function setRecording(tx: Tx, ctx: TenantContext, call: CallRow, ref: string) {
    if (call.consent !== 'granted')
      throw new VigilError('conflict', 'recording requires granted consent; nothing was stored');
    const enc = await keyring.encryptField(
      {
        tenantId: ctx.tenant.id,
        table: 'calls',
        column: 'recording_ref_enc',
        rowId: call.id,
        subjectId: call.subject_id,
      },
      ref,
      tx,
    );
    await tx.execute(sql`update calls set recording_ref_enc = ${enc} where id = ${call.id}`);
    await audit.inTx(tx, event(ctx, 'call.recording', call.id, {}));
  }

  async function recording(ctx: TenantContext, callId: string, ref: string) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      await setRecording(tx, ctx, await load(tx, callId), ref);
      return { callId, hasRecording: true };
    });
  }

  async function end(ctx: TenantContext, callId: string, body: { endedAt?: string; recordingRef?: string }) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const call = await load(tx, callId);
      // Checked first: a refused recording leaves the call untouched.
      if (body.recordingRef) await setRecording(tx, ctx, call, body.recordingRef);
      const endedAt = body.endedAt ? new Date(body.endedAt) : new Date();
      await tx.execute(sql`update calls set ended_at = ${endedAt} where id = ${callId}`);
      await tx.execute(sql`update conversations set status = case when status = 'open' then 'pending' else status end, updated_at = now()
        where id = ${call.conversation_id}`);
      await audit.inTx(tx, event(ctx, 'call.end', callId, { recording: !!body.recordingRef }));
      // A recording may have been stored during the call (POST …/recording), not only now.
      const [r] = await rows<{ has: boolean }>(
        tx,
        sql`select recording_ref_enc is not null as has from calls where id = ${callId}`,
      );
      return {
        callId,
        conversationId: call.conversation_id,
        endedAt: endedAt.toISOString(),
        hasRecording: Boolean(r?.has),
      };
    });
  }

  return { createCall, consent, transcript, recording, end };
}

export type VoiceService = ReturnType<typeof createVoiceService>;
