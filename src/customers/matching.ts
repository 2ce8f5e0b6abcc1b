// Customer matching for first contacts (ingest): an incoming e-mail address or phone number
// resolves to exactly one customer, even when several messages of a new sender arrive at once.
// The first identifier's contact key is claimed under its primary key before the customer is
// written; a concurrent first contact waits for that claim and then joins the same customer.
import { randomUUID } from 'node:crypto';
import type { Keyring } from '../crypto/index.ts';
import type { Tx } from '../platform/db.ts';
import { VigilError } from '../platform/errors.ts';
import type { CustomerInput } from './schema.ts';
import * as store from './store.ts';

export interface ContactRef {
  email?: string | undefined;
  phone?: string | undefined;
}

export interface MatcherDeps {
  keyring: Pick<Keyring, 'blindIndex'>;
  createInTx(tx: Tx, tenantId: string, input: CustomerInput, source: string, id?: string): Promise<string>;
  findInTx(tx: Tx, tenantId: string, by: { email: string } | { phone: string }): Promise<string[]>;
}

export function createCustomerMatcher(deps: MatcherDeps) {
  async function keysOf(tx: Tx, tenantId: string, ref: ContactRef) {
    const keys: Array<{
      kind: store.IdentifierKind;
      blind: Buffer;
      by: { email: string } | { phone: string };
    }> = [];
    const add = async (kind: 'email' | 'phone', value: string | undefined) => {
      if (!value) return;
      try {
        const blind = await deps.keyring.blindIndex(tenantId, kind, value, tx);
        keys.push({ kind, blind, by: kind === 'email' ? { email: value } : { phone: value } });
      } catch (e) {
        if (!(e instanceof VigilError && e.code === 'invalid_input')) throw e;
      }
    };
    await add('email', ref.email);
    await add('phone', ref.phone);
    return keys;
  }

  /**
   * The customer of a first contact: the holder of its e-mail's (then phone's) contact key, or
   * a record found by identifier, or a new customer created with `input` under a fresh claim.
   */
  async function resolveInTx(
    tx: Tx,
    tenantId: string,
    ref: ContactRef,
    input: CustomerInput,
    source: string,
  ): Promise<string> {
    const keys = await keysOf(tx, tenantId, ref);
    for (const k of keys) {
      const owner = await store.contactKeyOwner(tx, k.kind, k.blind);
      if (owner) return owner;
    }
    for (const k of keys) {
      // Identifiers without a key (e.g. recorded before keys existed): the record takes the key.
      const [found] = await deps.findInTx(tx, tenantId, k.by);
      if (found) return store.claimContactKey(tx, tenantId, k.kind, k.blind, found);
    }
    const id = randomUUID();
    const first = keys[0];
    if (first) {
      const holder = await store.claimContactKey(tx, tenantId, first.kind, first.blind, id);
      if (holder !== id) return holder;
    }
    return deps.createInTx(tx, tenantId, input, source, id);
  }

  return { resolveInTx };
}
