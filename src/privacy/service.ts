// Data-subject requests for the DPO (GDPR Art. 12, 15-18, 20): the request register with
// deadlines, access/portability export, erasure by crypto-shredding plus deletion of the rows that
// hold personal data, and restriction of processing.
//
// Erasure keeps, without personal data: the customers row as a tombstone (id, created_at,
// erased_at; every *_enc column, identifiers, consents and language cleared), a customer_erasures
// row (customer id, request id, erased_at), the subject request, and the audit log (ids only). The
// customer's conversations are deleted entirely, with their messages, PII tokens and calls (by
// cascade); chat visitors linked to the customer are deleted too.
import { sql } from 'drizzle-orm';
import type { AuditLog } from '../audit/log.ts';
import type { Keyring } from '../crypto/index.ts';
import type { CustomerInput } from '../customers/schema.ts';
import { TOKEN_RE } from '../ingest/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, pgTextArray, rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { ownValueMatcher } from './own-values.ts';
import { assertNoLegalHold, purgeCustomer } from './purge.ts';
import { createRectification, type RectificationDeps, type RectificationEvidence } from './rectify.ts';
import { isRestricted } from './restriction.ts';

export const REQUEST_TYPES = ['access', 'rectification', 'erasure', 'restriction'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];
export const IDENTITY_METHODS = [
  'account_login',
  'email_confirmation',
  'id_document_sighted',
  'in_person',
  'knowledge_based',
  'other',
] as const;
export type IdentityMethod = (typeof IDENTITY_METHODS)[number];

export interface PrivacyDeps {
  db: Pick<Database, 'withTenant'>;
  keyring: Pick<Keyring, 'decryptFieldText' | 'shredSubject' | 'encryptField'>;
  audit: AuditRecorder;
  auditLog: Pick<AuditLog, 'listEventsForResources'>;
  /** Applies rectifications (the contact center's customer service). */
  customers?: RectificationDeps['customers'];
}

interface RequestRow {
  id: string;
  customer_id: string;
  type: RequestType;
  state: string;
  received_at: Date | string;
  due_at: Date | string;
  identity_method: string;
  identity_verified_by: string;
  identity_verified_at: Date | string;
  completed_at: Date | string | null;
  overdue: boolean;
}

export interface SubjectRequestView {
  id: string;
  customerId: string;
  type: RequestType;
  state: string;
  receivedAt: string;
  dueAt: string;
  overdue: boolean;
  identityCheck: { method: string; verifiedBy: string; verifiedAt: string };
  completedAt: string | null;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (d: Date | string) => new Date(d).toISOString();
const REQUEST_COLS = sql`id, customer_id, type, state, received_at, due_at, identity_method, identity_verified_by,
  identity_verified_at, completed_at, (state not in ('completed', 'rejected') and due_at < now()) as overdue`;

const viewOf = (r: RequestRow): SubjectRequestView => ({
  id: r.id,
  customerId: r.customer_id,
  type: r.type,
  state: r.state,
  receivedAt: iso(r.received_at),
  dueAt: iso(r.due_at),
  overdue: r.overdue,
  identityCheck: {
    method: r.identity_method,
    verifiedBy: r.identity_verified_by,
    verifiedAt: iso(r.identity_verified_at),
  },
  completedAt: r.completed_at ? iso(r.completed_at) : null,
});

const CUSTOMER_ENC = {
  name: 'name_enc',
  emails: 'emails_enc',
  phones: 'phones_enc',
  address: 'address_enc',
  dateOfBirth: 'dob_enc',
  customerNumber: 'customer_number_enc',
  notes: 'notes_enc',
} as const;

interface CustomerRow {
  id: string;
  tenant_id: string;
  language: string | null;
  consents: Record<string, boolean>;
  source: string;
  merged_into: string | null;
  erased_at: Date | string | null;
  created_at: Date | string;
  [k: string]: unknown;
}

export interface AccessEntry {
  time: string;
  action: string;
  outcome: string;
  actorType: string;
  actorId: string | null;
  actorRoles: string[];
  resourceType: string | null;
  resourceId: string | null;
}

export type SubjectExport =
  | {
      format: 'vigil.subject-export.v1';
      generatedAt: string;
      customerId: string;
      erased: true;
      erasedAt: string;
      erasureRequestId: string | null;
    }
  | {
      format: 'vigil.subject-export.v1';
      generatedAt: string;
      customerId: string;
      erased: false;
      restricted: boolean;
      profile: Record<string, unknown>;
      consents: {
        profile: Record<string, boolean>;
        calls: Array<{ callId: string; consent: string; method: string | null; at: string | null }>;
        records: Array<Record<string, unknown>>;
      };
      conversations: Array<Record<string, unknown>>;
      /** Tokenized values of the subject's own that the export shows decrypted. */
      ownValues: number;
      calls: Array<Record<string, unknown>>;
      accessHistory: AccessEntry[];
      subjectRequests: SubjectRequestView[];
    };

export function createPrivacyService(deps: PrivacyDeps) {
  const { db, keyring, audit, auditLog } = deps;

  const event = (
    ctx: TenantContext,
    action: string,
    resourceType: string,
    resourceId: string,
    meta: Record<string, string | number | boolean | null> = {},
  ) => ({
    tenantId: ctx.tenant.id,
    actorType: ctx.actor.type === 'anonymous' ? ('system' as const) : ctx.actor.type,
    actorId: ctx.actor.id,
    action,
    resourceType,
    resourceId,
    outcome: 'success' as const,
    ip: ctx.ip || null,
    uaHash: ctx.uaHash || null,
    requestId: ctx.requestId,
    meta,
  });

  async function selectCustomer(tx: Tx, id: string): Promise<CustomerRow | undefined> {
    const [r] = await rows<CustomerRow>(tx, sql`select * from customers where id = ${id}`);
    return r;
  }

  async function selectRequest(tx: Tx, id: string): Promise<RequestRow | undefined> {
    const [r] = await rows<RequestRow>(
      tx,
      sql`select ${REQUEST_COLS} from subject_requests where id = ${id}`,
    );
    return r;
  }

  /** The request `requestId` of `type` for `customerId`, still open; 404 / 409 otherwise. */
  async function openRequest(tx: Tx, requestId: string, customerId: string, type: RequestType) {
    const r = await selectRequest(tx, requestId);
    if (!r) throw new VigilError('not_found', 'subject request not found');
    if (r.customer_id !== customerId || r.type !== type)
      throw new VigilError('conflict', 'the subject request does not match this action');
    return r;
  }

  async function createRequest(
    ctx: TenantContext,
    input: { customerId: string; type: RequestType; identityCheck: { method: IdentityMethod } },
  ): Promise<SubjectRequestView> {
    const verifier = ctx.actor.id;
    if (!verifier) throw new VigilError('forbidden', 'a person must verify the identity');
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const c = await selectCustomer(tx, input.customerId);
      if (!c) throw new VigilError('not_found', 'customer not found');
      const [r] = await rows<{ id: string }>(
        tx,
        sql`insert into subject_requests (tenant_id, customer_id, type, due_at, identity_method, identity_verified_by, created_by)
            values (${ctx.tenant.id}, ${input.customerId}, ${input.type}, now() + interval '1 month',
              ${input.identityCheck.method}, ${verifier}, ${verifier})
            returning id`,
      );
      const id = r!.id;
      await audit.inTx(
        tx,
        event(ctx, 'privacy.request.create', 'subject_request', id, {
          customerId: input.customerId,
          type: input.type,
          identityMethod: input.identityCheck.method,
        }),
      );
      return viewOf((await selectRequest(tx, id))!);
    });
  }

  async function listRequests(ctx: TenantContext, q: { state?: string; customerId?: string }) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const list = await rows<RequestRow>(
        tx,
        sql`select ${REQUEST_COLS} from subject_requests where true
            ${q.state ? sql`and state = ${q.state}` : sql``}
            ${q.customerId ? sql`and customer_id = ${q.customerId}` : sql``}
            order by due_at asc, id asc limit 500`,
      );
      const items = list.map(viewOf);
      return { items, overdue: items.filter((i) => i.overdue).length };
    });
  }

  const rectification = deps.customers
    ? createRectification({ db, keyring, audit, customers: deps.customers })
    : undefined;

  async function getRequest(
    ctx: TenantContext,
    id: string,
  ): Promise<SubjectRequestView & { rectification?: RectificationEvidence }> {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const r = await selectRequest(tx, id);
      if (!r) throw new VigilError('not_found', 'subject request not found');
      const evidence =
        r.type === 'rectification' ? await rectification?.evidenceOf(tx, ctx.tenant.id, id) : null;
      return { ...viewOf(r), ...(evidence ? { rectification: evidence } : {}) };
    });
  }

  /** Art. 16: applies the change through the open rectification request, with evidence on it. */
  async function rectify(ctx: TenantContext, customerId: string, requestId: string, changes: CustomerInput) {
    if (!rectification) throw new VigilError('conflict', 'rectification needs the contact center');
    return rectification.rectify(ctx, customerId, requestId, changes);
  }

  /** Closes an open request (e.g. a rectification done through the customer API, or a rejection). */
  async function closeRequest(ctx: TenantContext, id: string, state: 'completed' | 'rejected') {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const r = await selectRequest(tx, id);
      if (!r) throw new VigilError('not_found', 'subject request not found');
      if (r.state === 'completed' || r.state === 'rejected')
        throw new VigilError('conflict', 'the subject request is already closed');
      if (r.state === 'in_effect') throw new VigilError('conflict', 'lift the restriction first');
      await tx.execute(
        sql`update subject_requests set state = ${state}, completed_at = now() where id = ${id}`,
      );
      await audit.inTx(
        tx,
        event(
          ctx,
          `privacy.request.${state === 'completed' ? 'complete' : 'reject'}`,
          'subject_request',
          id,
          { type: r.type },
        ),
      );
      return viewOf((await selectRequest(tx, id))!);
    });
  }

  const decrypt = async (
    tx: Tx,
    tenantId: string,
    table: string,
    column: string,
    rowId: string,
    subjectId: string,
    v: unknown,
  ): Promise<string | null> => {
    if (!v) return null;
    try {
      return await keyring.decryptFieldText(
        { tenantId, table, column, rowId, subjectId },
        Buffer.from(v as Uint8Array),
        tx,
      );
    } catch (e) {
      if (e instanceof VigilError && e.code === 'data_erased') return null;
      throw e;
    }
  };

  /** The subject's access history: one paged read of the audit log and one of the actors' roles. */
  async function accessHistory(tx: Tx, tenantId: string, resourceIds: string[]): Promise<AccessEntry[]> {
    const events = await auditLog.listEventsForResources(tx, resourceIds, 20_000);
    const actors = [
      ...new Set(events.map((e) => e.actorId).filter((x): x is string => !!x && UUID_RE.test(x))),
    ];
    const roles = new Map<string, string[]>();
    const memberships = actors.length
      ? await rows<{ user_id: string; role: string }>(
          tx,
          sql`select user_id::text as user_id, role from memberships
              where tenant_id = ${tenantId} and user_id = any(${pgTextArray(actors)}::uuid[]) order by user_id, role`,
        )
      : [];
    for (const m of memberships) roles.set(m.user_id, [...(roles.get(m.user_id) ?? []), m.role]);
    return events.map((e) => ({
      time: e.time,
      action: e.action,
      outcome: e.outcome,
      actorType: e.actorType,
      actorId: e.actorId,
      actorRoles: e.actorId ? (roles.get(e.actorId) ?? []) : [],
      resourceType: e.resourceType,
      resourceId: e.resourceId,
    }));
  }

  async function exportSubject(ctx: TenantContext, customerId: string): Promise<SubjectExport> {
    const tenantId = ctx.tenant.id;
    const result = await db.withTenant(tenantId, async (tx): Promise<SubjectExport> => {
      const c = await selectCustomer(tx, customerId);
      const generatedAt = new Date().toISOString();
      if (!c) throw new VigilError('not_found', 'customer not found');
      if (c.erased_at) {
        const [t] = await rows<{ request_id: string }>(
          tx,
          sql`select request_id from customer_erasures where customer_id = ${customerId}`,
        );
        return {
          format: 'vigil.subject-export.v1',
          generatedAt,
          customerId,
          erased: true,
          erasedAt: iso(c.erased_at),
          erasureRequestId: t?.request_id ?? null,
        };
      }
      const dec = (field: keyof typeof CUSTOMER_ENC) =>
        decrypt(tx, tenantId, 'customers', CUSTOMER_ENC[field], c.id, c.id, c[CUSTOMER_ENC[field]]);
      const json = <T>(s: string | null, d: T): T => (s ? (JSON.parse(s) as T) : d);
      const profile = {
        id: c.id,
        name: await dec('name'),
        emails: json<string[]>(await dec('emails'), []),
        phones: json<string[]>(await dec('phones'), []),
        address: json<Record<string, string> | null>(await dec('address'), null),
        dateOfBirth: await dec('dateOfBirth'),
        customerNumber: await dec('customerNumber'),
        notes: await dec('notes'),
        language: c.language,
        source: c.source,
        createdAt: iso(c.created_at),
        mergedInto: c.merged_into,
      };
      const isOwn = ownValueMatcher(profile);
      let ownValues = 0;
      /** The subject's own tokenized values in all their conversations, by token, in one query. */
      const ownTokens = async (tx: Tx) => {
        const list = await rows<{ token: string; entity_type: string; value_enc: Uint8Array }>(
          tx,
          sql`select t.token, t.entity_type, t.value_enc from pii_tokens t
              join conversations c on c.id = t.conversation_id
              where c.customer_id = ${customerId} and t.subject_id = ${customerId}`,
        );
        const own = new Map<string, string>();
        for (const t of list) {
          const v = await decrypt(tx, tenantId, 'pii_tokens', 'value_enc', t.token, customerId, t.value_enc);
          if (v !== null && isOwn(t.entity_type, v)) own.set(t.token, v);
        }
        ownValues += own.size;
        return own;
      };
      const convs = await rows<{
        id: string;
        channel: string;
        status: string;
        subject_enc: Uint8Array | null;
        created_at: Date | string;
        last_message_at: Date | string;
      }>(
        tx,
        sql`select id, channel, status, subject_enc, created_at, last_message_at from conversations
            where customer_id = ${customerId} order by created_at, id`,
      );
      // All of the subject's messages in one query (conversation order, then message order).
      const allMsgs = await rows<{
        id: string;
        conversation_id: string;
        subject_id: string;
        channel: string;
        kind: string;
        direction: string;
        author_type: string;
        body_enc: Uint8Array;
        findings: unknown;
        created_at: Date | string;
        speaker: string | null;
      }>(
        tx,
        sql`select m.id, m.conversation_id, m.subject_id, m.channel, m.kind, m.direction, m.author_type, m.body_enc,
              m.findings, m.created_at, m.speaker
            from conversations c join messages m on m.conversation_id = c.id
            where c.customer_id = ${customerId} order by m.conversation_id, m.seq`,
      );
      const byConversation = new Map<string, typeof allMsgs>();
      for (const m of allMsgs) {
        const list = byConversation.get(m.conversation_id);
        if (list) list.push(m);
        else byConversation.set(m.conversation_id, [m]);
      }
      const conversations: Array<Record<string, unknown>> = [];
      const tokens = await ownTokens(tx);
      for (const conv of convs) {
        const msgs = byConversation.get(conv.id) ?? [];
        const messages = [];
        for (const m of msgs) {
          const text = await decrypt(tx, tenantId, 'messages', 'body_enc', m.id, m.subject_id, m.body_enc);
          messages.push({
            id: m.id,
            channel: m.channel,
            kind: m.kind,
            direction: m.direction,
            authorType: m.author_type,
            createdAt: iso(m.created_at),
            // As stored (redacted by the tenant's policy); tokens of the subject's own values are
            // filled in, all others appear as [TYPE].
            text:
              text === null
                ? null
                : text.replace(
                    TOKEN_RE,
                    (_m, type: string, token: string) => tokens.get(token) ?? `[${type}]`,
                  ),
            findings: m.findings,
            ...(m.speaker ? { speaker: m.speaker } : {}),
          });
        }
        conversations.push({
          id: conv.id,
          channel: conv.channel,
          status: conv.status,
          subject: await decrypt(
            tx,
            tenantId,
            'conversations',
            'subject_enc',
            conv.id,
            customerId,
            conv.subject_enc,
          ),
          createdAt: iso(conv.created_at),
          lastMessageAt: iso(conv.last_message_at),
          messages,
        });
      }
      const callRows = await rows<{
        id: string;
        conversation_id: string;
        subject_id: string;
        direction: string;
        from_enc: Uint8Array;
        to_enc: Uint8Array;
        started_at: Date | string;
        ended_at: Date | string | null;
        consent: string;
        consent_method: string | null;
        consent_at: Date | string | null;
        has_recording: boolean;
      }>(
        tx,
        sql`select k.id, k.conversation_id, k.subject_id, k.direction, k.from_enc, k.to_enc, k.started_at, k.ended_at,
              k.consent, k.consent_method, k.consent_at, k.recording_ref_enc is not null as has_recording
            from calls k join conversations c on c.id = k.conversation_id
            where c.customer_id = ${customerId} order by k.started_at, k.id`,
      );
      const calls = [];
      for (const k of callRows)
        calls.push({
          id: k.id,
          conversationId: k.conversation_id,
          direction: k.direction,
          from: await decrypt(tx, tenantId, 'calls', 'from_enc', k.id, k.subject_id, k.from_enc),
          to: await decrypt(tx, tenantId, 'calls', 'to_enc', k.id, k.subject_id, k.to_enc),
          startedAt: iso(k.started_at),
          endedAt: k.ended_at ? iso(k.ended_at) : null,
          recordingConsent: k.consent,
          hasRecording: k.has_recording,
        });
      const requests = await rows<RequestRow>(
        tx,
        sql`select ${REQUEST_COLS} from subject_requests where customer_id = ${customerId} order by received_at, id`,
      );
      const consentRecords = await rows<{
        id: string;
        purpose: string;
        call_id: string | null;
        granted: boolean;
        source: string;
        text_version: string;
        recorded_at: Date | string;
        withdrawn_at: Date | string | null;
      }>(
        tx,
        sql`select id, purpose, call_id, granted, source, text_version, recorded_at, withdrawn_at from consent_records
            where customer_id = ${customerId} order by recorded_at, id`,
      );
      return {
        format: 'vigil.subject-export.v1',
        generatedAt,
        customerId,
        erased: false,
        restricted: await isRestricted(tx, tenantId, customerId),
        profile,
        consents: {
          profile: c.consents,
          calls: callRows.map((k) => ({
            callId: k.id,
            consent: k.consent,
            method: k.consent_method,
            at: k.consent_at ? iso(k.consent_at) : null,
          })),
          records: consentRecords.map((r) => ({
            id: r.id,
            purpose: r.purpose,
            callId: r.call_id,
            granted: r.granted,
            source: r.source,
            textVersion: r.text_version,
            recordedAt: iso(r.recorded_at),
            withdrawnAt: r.withdrawn_at ? iso(r.withdrawn_at) : null,
          })),
        },
        conversations,
        ownValues,
        calls,
        accessHistory: await accessHistory(tx, tenantId, [customerId, ...convs.map((x) => x.id)]),
        subjectRequests: requests.map(viewOf),
      };
    });
    // Recorded before the data leaves (the read rule of the audit log).
    await audit.standalone(
      event(ctx, 'customer.export', 'customer', customerId, {
        erased: result.erased,
        conversations: result.erased ? 0 : result.conversations.length,
        // How many of the subject's own tokenized values were decrypted into the export.
        ownValues: result.erased ? 0 : result.ownValues,
      }),
    );
    return result;
  }

  async function erase(ctx: TenantContext, customerId: string, requestId: string) {
    const tenantId = ctx.tenant.id;
    return db.withTenant(tenantId, async (tx) => {
      const c = await selectCustomer(tx, customerId);
      if (!c) throw new VigilError('not_found', 'customer not found');
      const req = await openRequest(tx, requestId, customerId, 'erasure');
      if (c.erased_at) throw new VigilError('data_erased', 'the data was erased');
      if (req.state !== 'received') throw new VigilError('conflict', 'the subject request is already closed');
      // Art. 17(3)(e): data needed for legal claims stays while a legal hold covers it.
      await assertNoLegalHold(tx, customerId);
      const counts = await purgeCustomer(tx, keyring, tenantId, customerId, { reason: 'request', requestId });
      await tx.execute(
        sql`update subject_requests set state = 'completed', completed_at = now() where id = ${requestId}`,
      );
      const certificate = {
        requestId,
        conversations: counts.conversations,
        messages: counts.messages,
        piiTokens: counts.piiTokens,
        calls: counts.calls,
        identifiers: counts.identifiers,
        chatVisitors: counts.chatVisitors,
        keysShredded: counts.keysShredded,
        // The key id is `subject:<tenant>:<customer>`: the event's tenant and resource name it.
        keyScope: 'subject',
        keyDestroyed: counts.keyDestroyed,
        ledgerSeq: counts.ledgerSeq,
      };
      await audit.inTx(tx, event(ctx, 'privacy.erasure', 'customer', customerId, certificate));
      const [t] = await rows<{ erased_at: Date | string }>(
        tx,
        sql`select erased_at from customer_erasures where customer_id = ${customerId}`,
      );
      return {
        customerId,
        erasedAt: iso(t!.erased_at),
        certificate: { ...certificate, keyIds: [`subject:${tenantId}:${customerId}`] },
      };
    });
  }

  async function restrict(ctx: TenantContext, customerId: string, requestId: string) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const c = await selectCustomer(tx, customerId);
      if (!c) throw new VigilError('not_found', 'customer not found');
      if (c.erased_at) throw new VigilError('data_erased', 'the data was erased');
      const req = await openRequest(tx, requestId, customerId, 'restriction');
      if (req.state !== 'received') throw new VigilError('conflict', 'the subject request is not open');
      if (await isRestricted(tx, ctx.tenant.id, customerId))
        throw new VigilError('conflict', 'processing is already restricted');
      await tx.execute(sql`insert into customer_restrictions (tenant_id, customer_id, request_id)
        values (${ctx.tenant.id}, ${customerId}, ${requestId})`);
      await tx.execute(sql`update subject_requests set state = 'in_effect' where id = ${requestId}`);
      await audit.inTx(tx, event(ctx, 'privacy.restrict', 'customer', customerId, { requestId }));
      return { customerId, restricted: true, requestId };
    });
  }

  async function unrestrict(ctx: TenantContext, customerId: string, requestId: string) {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const c = await selectCustomer(tx, customerId);
      if (!c) throw new VigilError('not_found', 'customer not found');
      const req = await openRequest(tx, requestId, customerId, 'restriction');
      const [r] = await rows<{ request_id: string }>(
        tx,
        sql`select request_id from customer_restrictions where customer_id = ${customerId}`,
      );
      if (!r || req.state !== 'in_effect') throw new VigilError('conflict', 'processing is not restricted');
      await tx.execute(sql`delete from customer_restrictions where customer_id = ${customerId}`);
      await tx.execute(sql`update subject_requests set state = 'completed', completed_at = now()
        where id = ${r.request_id}`);
      await audit.inTx(tx, event(ctx, 'privacy.unrestrict', 'customer', customerId, { requestId }));
      return { customerId, restricted: false, requestId };
    });
  }

  return {
    createRequest,
    listRequests,
    getRequest,
    rectify,
    closeRequest,
    exportSubject,
    erase,
    restrict,
    unrestrict,
  };
}

export type PrivacyService = ReturnType<typeof createPrivacyService>;
