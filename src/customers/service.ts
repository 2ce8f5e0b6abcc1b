// Customers: a small CRM per tenant. Every personal field is encrypted under the customer's own
// subject key (subjectId = customer id), so shredding that key erases the profile and everything
// written about the customer. Lookups use blind indexes; field visibility follows the CASL rules
// of the caller's roles (CUSTOMER_FIELDS in authz/roles.ts).
import { randomUUID } from 'node:crypto';
import { permittedFieldsOf } from '@casl/ability/extra';
import { sql } from 'drizzle-orm';
import type { Keyring } from '../crypto/index.ts';
import { registerEncryptedColumn } from '../crypto/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { TenantContext } from '../platform/context.ts';
import { type Database, rows, type Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import { assertNotRestricted } from '../privacy/restriction.ts';
import { createCustomerMatcher } from './matching.ts';
import type { AddressValue, CustomerInput, LookupBody } from './schema.ts';
import * as store from './store.ts';

for (const column of Object.values(store.ENCRYPTED_FIELDS))
  registerEncryptedColumn({ table: 'customers', column });

export type CustomerKeyring = Pick<
  Keyring,
  'encryptField' | 'decryptFieldText' | 'blindIndex' | 'createSubjectKey' | 'shredSubject'
>;

export interface CustomerDeps {
  db: Pick<Database, 'withTenant'>;
  keyring: CustomerKeyring;
  audit: AuditRecorder;
  /** Caller verification (set later with setUnlockResolver when wired after construction). */
  unlockResolver?: UnlockResolver;
}

export interface CustomerView {
  id: string;
  name?: string | null;
  emails?: string[];
  phones?: string[];
  address?: AddressValue | null;
  dateOfBirth?: string | null;
  customerNumber?: string | null;
  language?: string | null;
  notes?: string | null;
  consents?: Record<string, boolean>;
  createdAt?: string;
  mergedInto?: string | null;
  masked?: string[];
}

export interface CustomerListItem {
  id: string;
  name: string | null;
  email: string | null;
  customerNumber: string | null;
  language: string | null;
  createdAt: string;
}

type Decoded = {
  name: string | null;
  emails: string[];
  phones: string[];
  address: AddressValue | null;
  dateOfBirth: string | null;
  customerNumber: string | null;
  notes: string | null;
};

const iso = (d: Date | string) => new Date(d).toISOString();
const actorType = (ctx: TenantContext) =>
  ctx.actor.type === 'anonymous' ? ('system' as const) : ctx.actor.type;

const encodeCursor = (created: string, id: string) => Buffer.from(`${created}|${id}`).toString('base64url');
function decodeCursor(c: string | undefined): { created: string; id: string } | null {
  if (!c) return null;
  const [created, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
  if (!created || !id || !/^[0-9a-f-]{36}$/.test(id) || !/^\d{4}-\d\d-\d\d[ T][0-9:.+-]+$/.test(created))
    throw new VigilError('invalid_input', 'invalid cursor');
  return { created, id };
}

/** Fields the caller's roles may read: 'x' (full), 'x:masked' (masked) or absent. */
export function visibleFields(
  ctx: TenantContext,
  unlocked: readonly string[] = [],
): Map<string, 'full' | 'masked'> {
  const out = new Map<string, 'full' | 'masked'>();
  const fields = permittedFieldsOf(ctx.ability, 'read', 'Customer', { fieldsFrom: (r) => r.fields ?? [] });
  for (const f of fields) {
    const [name, mode] = f.split(':') as [string, string | undefined];
    if (mode === 'masked') {
      if (!out.has(name)) out.set(name, unlocked.includes(name) ? 'full' : 'masked');
    } else out.set(name, 'full');
  }
  return out;
}

/** Resolves the fields caller verification unlocked for a customer within a conversation. */
export type UnlockResolver = (
  ctx: TenantContext,
  conversationId: string,
  customerId: string,
) => Promise<string[]>;

/**
 * Caller verification's guard for changes of contact data: throws verification_required unless
 * the caller was verified in this conversation (src/verification requireVerified).
 */
export type ContactChangeGuard = (
  tx: Tx,
  ctx: TenantContext,
  conversationId: string | undefined,
  customerId: string,
) => Promise<void>;

/** Fields whose change hands the account to whoever controls the new value (account takeover). */
const CONTACT_FIELDS = ['emails', 'phones', 'address'] as const;

/** Fields a verification may unlock: masked fields only (visibleFields never widens others). */
const UNLOCKABLE_FIELDS = ['dateOfBirth', 'address'];

/**
 * Hook for caller verification: fields unlocked for this caller within a conversation where the
 * customer has been verified (src/verification). None without a conversation, a customer or a
 * resolver; the resolver checks the conversation is visible, belongs to the customer and is live.
 */
export async function unlockedFields(
  ctx: TenantContext,
  conversationId: string | undefined,
  customerId?: string,
  resolver?: UnlockResolver,
): Promise<string[]> {
  if (!conversationId || !customerId || !resolver) return [];
  return (await resolver(ctx, conversationId, customerId)).filter((f) => UNLOCKABLE_FIELDS.includes(f));
}

export const maskDateOfBirth = (dob: string) => `**.**.${dob.slice(0, 4)}`;
export const maskAddress = (a: AddressValue): AddressValue => (a.city ? { city: a.city } : {});

export function createCustomerService(deps: CustomerDeps) {
  const { db, keyring, audit } = deps;
  let unlockResolver = deps.unlockResolver;
  let contactChangeGuard: ContactChangeGuard | undefined;

  const fctx = (tenantId: string, id: string, column: string) => ({
    tenantId,
    table: 'customers',
    column,
    rowId: id,
    subjectId: id,
  });

  async function encryptFields(tx: Tx, tenantId: string, id: string, input: CustomerInput) {
    const values: Partial<Record<store.EncryptedField, Buffer | null>> = {};
    const put = async (field: store.EncryptedField, plain: string | null) => {
      values[field] =
        plain === null
          ? null
          : await keyring.encryptField(fctx(tenantId, id, store.ENCRYPTED_FIELDS[field]), plain, tx);
    };
    if (input.name !== undefined) await put('name', input.name);
    if (input.emails !== undefined) await put('emails', JSON.stringify(input.emails));
    if (input.phones !== undefined) await put('phones', JSON.stringify(input.phones));
    if (input.address !== undefined)
      await put('address', input.address === null ? null : JSON.stringify(input.address));
    if (input.dateOfBirth !== undefined) await put('dateOfBirth', input.dateOfBirth);
    if (input.customerNumber !== undefined) await put('customerNumber', input.customerNumber);
    if (input.notes !== undefined) await put('notes', input.notes);
    await store.updateEncrypted(tx, id, values);
    // Blind indexes for lookups; an unparseable phone is simply not indexed.
    const blinds = async (kind: store.IdentifierKind, list: string[]) => {
      const out: Buffer[] = [];
      for (const v of list) {
        try {
          out.push(await keyring.blindIndex(tenantId, kind, v, tx));
        } catch (e) {
          if (!(e instanceof VigilError && e.code === 'invalid_input')) throw e;
        }
      }
      await store.replaceIdentifiers(tx, tenantId, id, kind, out);
    };
    if (input.emails !== undefined) await blinds('email', input.emails);
    if (input.phones !== undefined) await blinds('phone', input.phones);
    if (input.customerNumber !== undefined)
      await blinds('customer_number', input.customerNumber ? [input.customerNumber] : []);
  }

  /** Creates a customer with its subject key inside the caller's transaction. */
  async function createInTx(
    tx: Tx,
    tenantId: string,
    input: CustomerInput,
    source = 'agent',
    id: string = randomUUID(),
  ): Promise<string> {
    await store.insertCustomer(tx, {
      id,
      tenantId,
      language: input.language ?? null,
      consents: input.consents ?? {},
      source,
    });
    await keyring.createSubjectKey(tenantId, id, tx);
    await encryptFields(tx, tenantId, id, input);
    return id;
  }

  async function decode(tx: Tx, row: store.CustomerRow, only?: Set<string>): Promise<Decoded> {
    const dec = async (field: store.EncryptedField): Promise<string | null> => {
      if (only && !only.has(field)) return null;
      const c = row[store.ENCRYPTED_FIELDS[field]];
      return c
        ? keyring.decryptFieldText(
            fctx(row.tenant_id, row.id, store.ENCRYPTED_FIELDS[field]),
            Buffer.from(c),
            tx,
          )
        : null;
    };
    const json = <T>(s: string | null, d: T): T => (s ? (JSON.parse(s) as T) : d);
    return {
      name: await dec('name'),
      emails: json(await dec('emails'), []),
      phones: json(await dec('phones'), []),
      address: json<AddressValue | null>(await dec('address'), null),
      dateOfBirth: await dec('dateOfBirth'),
      customerNumber: await dec('customerNumber'),
      notes: await dec('notes'),
    };
  }

  function render(row: store.CustomerRow, d: Decoded, visible: Map<string, 'full' | 'masked'>): CustomerView {
    const v: CustomerView = { id: row.id };
    const masked: string[] = [];
    const show = <K extends keyof CustomerView>(
      k: K,
      value: CustomerView[K],
      mask?: (x: NonNullable<CustomerView[K]>) => CustomerView[K],
    ) => {
      const mode = visible.get(k);
      if (!mode) return;
      if (mode === 'masked' && mask && value !== null && value !== undefined) {
        v[k] = mask(value as NonNullable<CustomerView[K]>);
        masked.push(k);
      } else if (mode === 'full') v[k] = value;
      else v[k] = value; // masked but empty
    };
    show('name', d.name);
    show('emails', d.emails);
    show('phones', d.phones);
    show('address', d.address, (a) => maskAddress(a as AddressValue));
    show('dateOfBirth', d.dateOfBirth, (x) => maskDateOfBirth(x as string));
    show('customerNumber', d.customerNumber);
    show('language', row.language);
    show('notes', d.notes);
    show('consents', row.consents);
    show('createdAt', iso(row.created_at));
    if (row.merged_into) v.mergedInto = row.merged_into;
    if (masked.length) v.masked = masked;
    return v;
  }

  async function loadLive(tx: Tx, id: string): Promise<store.CustomerRow> {
    const row = await store.selectCustomer(tx, id);
    if (!row) throw new VigilError('not_found', 'customer not found');
    if (row.erased_at) throw new VigilError('data_erased', 'the data was erased');
    return row;
  }

  const event = (
    ctx: TenantContext,
    action: string,
    resourceId: string | null,
    meta: Record<string, string | number | boolean | null> = {},
    outcome: 'success' | 'denied' | 'failure' = 'success',
  ) => ({
    tenantId: ctx.tenant.id,
    actorType: actorType(ctx),
    actorId: ctx.actor.id,
    action,
    resourceType: 'customer',
    resourceId,
    outcome,
    ip: ctx.ip || null,
    uaHash: ctx.uaHash || null,
    requestId: ctx.requestId,
    meta,
  });

  async function get(
    ctx: TenantContext,
    id: string,
    opts: { conversationId?: string } = {},
  ): Promise<CustomerView> {
    const unlocked = await unlockedFields(ctx, opts.conversationId, id, unlockResolver);
    const visible = visibleFields(ctx, unlocked);
    const view = await db.withTenant(ctx.tenant.id, async (tx) => {
      const row = await loadLive(tx, id);
      return render(row, await decode(tx, row), visible);
    });
    // Recorded before the data leaves: exactly one read event per profile view.
    await audit.standalone(
      event(
        ctx,
        'customer.read',
        id,
        unlocked.length && opts.conversationId
          ? { conversationId: opts.conversationId, unlocked: unlocked.join(',') }
          : {},
      ),
    );
    return view;
  }

  async function list(ctx: TenantContext, q: { limit?: number; cursor?: string }) {
    const limit = Math.min(q.limit ?? 50, 100);
    const after = decodeCursor(q.cursor);
    const visible = visibleFields(ctx);
    const result = await db.withTenant(ctx.tenant.id, async (tx) => {
      const list = await store.listCustomers(tx, limit + 1, after);
      const page = list.slice(0, limit);
      const items: CustomerListItem[] = [];
      for (const row of page) {
        if (row.erased_at) {
          items.push({
            id: row.id,
            name: null,
            email: null,
            customerNumber: null,
            language: null,
            createdAt: iso(row.created_at),
          });
          continue;
        }
        const d = await decode(tx, row, new Set(['name', 'emails', 'customerNumber']));
        items.push({
          id: row.id,
          name: visible.get('name') ? d.name : null,
          email: visible.get('emails') ? (d.emails[0] ?? null) : null,
          customerNumber: visible.get('customerNumber') ? d.customerNumber : null,
          language: visible.get('language') ? row.language : null,
          createdAt: iso(row.created_at),
        });
      }
      const last = page[page.length - 1];
      return {
        items,
        nextCursor: list.length > limit && last ? encodeCursor(last.created_text, last.id) : null,
      };
    });
    await audit.standalone(event(ctx, 'customer.list', null, { count: result.items.length }));
    return result;
  }

  async function create(ctx: TenantContext, input: CustomerInput): Promise<CustomerView> {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const id = await createInTx(tx, ctx.tenant.id, input, 'agent');
      await audit.inTx(tx, event(ctx, 'customer.create', id));
      const row = await loadLive(tx, id);
      return render(row, await decode(tx, row), visibleFields(ctx));
    });
  }

  /**
   * The contact-change guard, for PATCH and for merge alike (issue 20, finding 5): existing
   * contact data changes only for a caller verified in this conversation.
   */
  async function guardContactChange(
    tx: Tx,
    ctx: TenantContext,
    before: store.CustomerRow,
    next: CustomerInput,
    conversationId: string | undefined,
  ): Promise<void> {
    const touched = CONTACT_FIELDS.filter((f) => next[f] !== undefined);
    if (!contactChangeGuard || !touched.length || ctx.roles.includes('dpo')) return;
    const now = await decode(tx, before, new Set(touched));
    const had = (f: (typeof CONTACT_FIELDS)[number]) =>
      f === 'address' ? now.address !== null && Object.keys(now.address).length > 0 : now[f].length > 0;
    const same = (f: (typeof CONTACT_FIELDS)[number]) =>
      JSON.stringify(now[f] ?? null) === JSON.stringify(next[f] ?? null);
    if (touched.some((f) => had(f) && !same(f))) await contactChangeGuard(tx, ctx, conversationId, before.id);
  }

  async function update(
    ctx: TenantContext,
    id: string,
    patch: CustomerInput,
    conversationId?: string,
  ): Promise<CustomerView> {
    return db.withTenant(ctx.tenant.id, async (tx) => {
      const before = await loadLive(tx, id);
      // Front-line staff change existing contact data only for a caller verified in this
      // conversation (first capture on an empty profile, e.g. an anonymous chat, needs none);
      // the DPO rectifies through a subject request with its own identity check.
      await guardContactChange(tx, ctx, before, patch, conversationId);
      await assertNotRestricted(tx, ctx.tenant.id, id);
      if (before.merged_into) throw new VigilError('conflict', 'the customer was merged into another record');
      await encryptFields(tx, ctx.tenant.id, id, patch);
      await store.updatePlain(tx, id, {
        ...(patch.language !== undefined ? { language: patch.language } : {}),
        ...(patch.consents !== undefined ? { consents: patch.consents } : {}),
      });
      await audit.inTx(
        tx,
        event(ctx, 'customer.update', id, { fields: Object.keys(patch).sort().join(',').slice(0, 120) }),
      );
      const row = await loadLive(tx, id);
      return render(row, await decode(tx, row), visibleFields(ctx));
    });
  }

  /**
   * The DPO's rectification (Art. 16) inside the subject request's transaction: applies the
   * change and returns the changed fields before and after. Allowed while processing is
   * restricted (contested accuracy is what a restriction often waits on).
   */
  async function rectifyInTx(tx: Tx, tenantId: string, id: string, patch: CustomerInput) {
    const row = await loadLive(tx, id);
    if (row.merged_into) throw new VigilError('conflict', 'the customer was merged into another record');
    const fields = Object.keys(patch).filter((f): f is store.EncryptedField => f in store.ENCRYPTED_FIELDS);
    const pick = (d: Decoded) => Object.fromEntries(fields.map((f) => [f, d[f]]));
    const before = pick(await decode(tx, row, new Set(fields)));
    await encryptFields(tx, tenantId, id, patch);
    if (patch.language !== undefined) await store.updatePlain(tx, id, { language: patch.language });
    const after = pick(await decode(tx, await loadLive(tx, id), new Set(fields)));
    return {
      before: { ...before, ...(patch.language !== undefined ? { language: row.language } : {}) },
      after: { ...after, ...(patch.language !== undefined ? { language: patch.language } : {}) },
    };
  }

  /** Finds customers by e-mail, phone or customer number (blind index: no decryption to search). */
  async function findInTx(tx: Tx, tenantId: string, by: LookupBody): Promise<string[]> {
    const [kind, value] = by.email
      ? (['email', by.email] as const)
      : by.phone
        ? (['phone', by.phone] as const)
        : (['customer_number', by.customerNumber ?? ''] as const);
    let blind: Buffer;
    try {
      blind = await keyring.blindIndex(tenantId, kind, value, tx);
    } catch (e) {
      if (e instanceof VigilError && e.code === 'invalid_input') return [];
      throw e;
    }
    return store.findByBlind(tx, kind, blind);
  }

  /**
   * The customer's name, for the conversation search index, which keeps only keyed hashes of its
   * words (src/conversations/search.ts); null when erased or unknown.
   */
  async function nameInTx(tx: Tx, id: string): Promise<string | null> {
    const row = await store.selectCustomer(tx, id);
    if (!row || row.erased_at) return null;
    return (await decode(tx, row, new Set(['name']))).name;
  }

  async function lookup(ctx: TenantContext, by: LookupBody) {
    const visible = visibleFields(ctx);
    const items = await db.withTenant(ctx.tenant.id, async (tx) => {
      const ids = await findInTx(tx, ctx.tenant.id, by);
      const out: Array<{ id: string; name: string | null }> = [];
      for (const id of ids) {
        const row = await store.selectCustomer(tx, id);
        if (!row || row.erased_at) continue;
        const d = await decode(tx, row, new Set(['name']));
        out.push({ id, name: visible.get('name') ? d.name : null });
      }
      return out;
    });
    const kind = by.email ? 'email' : by.phone ? 'phone' : 'customer_number';
    await audit.standalone(event(ctx, 'customer.search', null, { kind, count: items.length }));
    return { items };
  }

  /**
   * Merges `otherId` into `id`: identifiers, conversations and calls move over, contact data is
   * united, everything written about the duplicate is re-encrypted under the survivor's key and
   * the duplicate's key is shredded, so an erasure of the survivor covers the whole history.
   */
  async function merge(
    ctx: TenantContext,
    id: string,
    otherId: string,
    conversationId?: string,
  ): Promise<CustomerView> {
    if (id === otherId) throw new VigilError('invalid_input', 'a customer cannot be merged into itself');
    const tenantId = ctx.tenant.id;
    return db.withTenant(tenantId, async (tx) => {
      const target = await loadLive(tx, id);
      const other = await loadLive(tx, otherId);
      if (target.merged_into || other.merged_into)
        throw new VigilError('conflict', 'the customer was already merged');
      const a = await decode(tx, target);
      const b = await decode(tx, other);
      // The survivor's spelling wins, so a duplicate differing only in case changes nothing.
      const uniq = (xs: string[]) => {
        const seen = new Map<string, string>();
        for (const x of xs) if (!seen.has(x.toLowerCase())) seen.set(x.toLowerCase(), x);
        return [...seen.values()].slice(0, 10);
      };
      const united: CustomerInput = {
        name: a.name ?? b.name,
        emails: uniq([...a.emails, ...b.emails]),
        phones: uniq([...a.phones, ...b.phones]),
        address: a.address ?? b.address,
        dateOfBirth: a.dateOfBirth ?? b.dateOfBirth,
        customerNumber: a.customerNumber ?? b.customerNumber,
        notes: [a.notes, b.notes].filter(Boolean).join('\n\n').slice(0, 5000) || null,
      };
      // Contact data arriving by merge is a contact change of the survivor, like a PATCH.
      await guardContactChange(tx, ctx, target, united, conversationId);
      await encryptFields(tx, tenantId, id, united);
      await tx.execute(sql`update customers set consents = ${JSON.stringify({ ...other.consents, ...target.consents })}::jsonb,
        language = coalesce(language, ${other.language}) where id = ${id}`);
      const moved = await reencryptSubject(tx, tenantId, otherId, id);
      await tx.execute(sql`update conversations set customer_id = ${id} where customer_id = ${otherId}`);
      await store.moveContactKeys(tx, otherId, id);
      await tx.execute(sql`update chat_visitors set customer_id = ${id} where customer_id = ${otherId}`);
      await tx.execute(sql`delete from customer_identifiers where customer_id = ${otherId}`);
      await tx.execute(sql`update customers set merged_into = ${id}, name_enc = null, emails_enc = null, phones_enc = null,
        address_enc = null, dob_enc = null, customer_number_enc = null, notes_enc = null, updated_at = now() where id = ${otherId}`);
      await keyring.shredSubject(tenantId, otherId, tx);
      await audit.inTx(tx, event(ctx, 'customer.merge', id, { otherId, moved }));
      const row = await loadLive(tx, id);
      return render(row, await decode(tx, row), visibleFields(ctx));
    });
  }

  /** Re-encrypts every value written under `from`'s subject key with `to`'s key. */
  async function reencryptSubject(tx: Tx, tenantId: string, from: string, to: string): Promise<number> {
    let n = 0;
    const targets: Array<{
      table: string;
      column: string;
      subjectColumn: string | null;
      subjectFilter: 'subject_id' | 'customer_id';
      idColumn: string;
    }> = [
      {
        table: 'messages',
        column: 'body_enc',
        subjectColumn: 'subject_id',
        subjectFilter: 'subject_id',
        idColumn: 'id',
      },
      {
        table: 'pii_tokens',
        column: 'value_enc',
        subjectColumn: 'subject_id',
        subjectFilter: 'subject_id',
        idColumn: 'token',
      },
      {
        table: 'calls',
        column: 'from_enc',
        subjectColumn: null,
        subjectFilter: 'subject_id',
        idColumn: 'id',
      },
      { table: 'calls', column: 'to_enc', subjectColumn: null, subjectFilter: 'subject_id', idColumn: 'id' },
      {
        table: 'calls',
        column: 'recording_ref_enc',
        subjectColumn: 'subject_id',
        subjectFilter: 'subject_id',
        idColumn: 'id',
      },
      {
        table: 'conversations',
        column: 'subject_enc',
        subjectColumn: null,
        subjectFilter: 'customer_id',
        idColumn: 'id',
      },
    ];
    for (const t of targets) {
      const list = await rows<{ rid: string; c: Buffer | null }>(
        tx,
        sql`select ${sql.identifier(t.idColumn)}::text as rid, ${sql.identifier(t.column)} as c from ${sql.identifier(t.table)}
            where ${sql.identifier(t.subjectFilter)} = ${from} and ${sql.identifier(t.column)} is not null`,
      );
      const column = t.column;
      for (const r of list) {
        if (!r.c) continue;
        const plain = await keyring.decryptFieldText(
          { tenantId, table: t.table, column, rowId: r.rid, subjectId: from },
          Buffer.from(r.c),
          tx,
        );
        const c = await keyring.encryptField(
          { tenantId, table: t.table, column, rowId: r.rid, subjectId: to },
          plain,
          tx,
        );
        await tx.execute(
          sql`update ${sql.identifier(t.table)} set ${sql.identifier(t.column)} = ${c} where ${sql.identifier(t.idColumn)}::text = ${r.rid}`,
        );
        n++;
      }
      if (t.subjectColumn)
        await tx.execute(
          sql`update ${sql.identifier(t.table)} set ${sql.identifier(t.subjectColumn)} = ${to} where ${sql.identifier(t.subjectColumn)} = ${from}`,
        );
    }
    return n;
  }

  /** Wires caller verification in (app.ts), after both services exist. */
  function setUnlockResolver(r: UnlockResolver | undefined): void {
    unlockResolver = r;
  }

  function setContactChangeGuard(g: ContactChangeGuard | undefined): void {
    contactChangeGuard = g;
  }

  const matcher = createCustomerMatcher({ keyring, createInTx, findInTx });

  return {
    createInTx,
    findInTx,
    nameInTx,
    resolveInTx: matcher.resolveInTx,
    rectifyInTx,
    get,
    list,
    create,
    update,
    lookup,
    merge,
    visibleFields,
    setUnlockResolver,
    setContactChangeGuard,
  };
}

export type CustomerService = ReturnType<typeof createCustomerService>;
