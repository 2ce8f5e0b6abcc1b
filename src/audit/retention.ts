// Retention purge: deletes a chain's oldest events up to a cutoff through the one path the
// append-only trigger allows (owner transaction + vigil.audit_purge + an anchor covering the
// deleted seqs). The anchor records the last purged seq, its hash and the Merkle compact range
// at the cut, signed, so verification continues from there; a signed checkpoint of the current
// head is written in the same transaction.
import { sql } from 'drizzle-orm';
import { type Database, rows } from '../platform/db.ts';
import { GENESIS_HASH } from './canonical.ts';
import { registerSigningKey } from './checkpoints.ts';
import { CompactRange } from './merkle.ts';
import { anchorMessage, checkpointMessage } from './signing.ts';
import { toBuffer } from './store.ts';
import { type AuditSigner, chainOf } from './types.ts';

export interface PurgeResult {
  /** Events deleted by this purge. */
  deleted: number;
  /** The chain now starts after this seq. */
  anchorSeq: number;
}

export async function purgeAuditEvents(
  db: Database,
  tenantId: string | null,
  before: Date,
  signer: AuditSigner,
  clock: () => Date = () => new Date(),
  /** Never purge past this seq (e.g. the lowest delivery cursor of the chain's SIEM sinks). */
  maxSeq: number = Number.MAX_SAFE_INTEGER,
): Promise<PurgeResult> {
  const chain = chainOf(tenantId);
  return db.withOwner(async (tx) => {
    const head = (
      await rows<{ last_seq: number | string; frontier: Uint8Array }>(
        tx,
        sql`select last_seq, frontier from audit_heads where chain = ${chain}::uuid for update`,
      )
    )[0];
    if (!head) return { deleted: 0, anchorSeq: 0 };
    const prior = await rows<{ seq: number | string }>(
      tx,
      sql`select coalesce(max(seq), 0) as seq from audit_retention_anchors where chain = ${chain}::uuid`,
    );
    const priorSeq = Number(prior[0]?.seq ?? 0);
    // Cut before the first event at or after the cutoff, so nothing newer is lost to clock skew.
    const cut = await rows<{ seq: number | string }>(
      tx,
      sql`select coalesce((select min(seq) - 1 from audit_events where chain = ${chain}::uuid and time >= ${before.toISOString()}::timestamptz),
                          ${Number(head.last_seq)}) as seq`,
    );
    const cutSeq = Math.min(Number(cut[0]?.seq ?? 0), maxSeq);
    if (cutSeq <= priorSeq) return { deleted: 0, anchorSeq: priorSeq };
    // The compact range at the cut is rebuilt from the hashes up to it (the prior anchor's
    // range plus the events since); verification later resumes from exactly this state.
    const anchor = (
      await rows<{ seq: number | string; frontier: Uint8Array }>(
        tx,
        sql`select seq, frontier from audit_retention_anchors where chain = ${chain}::uuid order by seq desc limit 1`,
      )
    )[0];
    const range = anchor
      ? CompactRange.deserialize(Number(anchor.seq), toBuffer(anchor.frontier))
      : new CompactRange();
    const hashes = await rows<{ hash: Uint8Array }>(
      tx,
      sql`select hash from audit_events where chain = ${chain}::uuid and seq > ${priorSeq} and seq <= ${cutSeq} order by seq`,
    );
    let last = GENESIS_HASH;
    for (const h of hashes) {
      last = Buffer.from(toBuffer(h.hash));
      range.append(last);
    }
    const time = clock().toISOString();
    const frontier = range.serialize();
    const sig = signer.sign(
      anchorMessage(tenantId, cutSeq, last.toString('hex'), frontier.toString('hex'), time),
    );
    await registerSigningKey(tx, signer);
    await tx.execute(sql`insert into audit_retention_anchors (tenant_id, seq, last_hash, frontier, time, key_id, signature)
      values (${tenantId}::uuid, ${cutSeq}, ${last}, ${frontier}, ${time}::timestamptz, ${signer.keyId}, ${sig})`);
    const headSize = Number(head.last_seq);
    const root = CompactRange.deserialize(headSize, toBuffer(head.frontier)).root();
    const cpSig = signer.sign(checkpointMessage(tenantId, headSize, root.toString('hex'), time));
    await tx.execute(sql`insert into audit_checkpoints (tenant_id, tree_size, root_hash, time, key_id, signature)
      values (${tenantId}::uuid, ${headSize}, ${root}, ${time}::timestamptz, ${signer.keyId}, ${cpSig})`);
    await tx.execute(sql`select set_config('vigil.audit_purge', 'on', true)`);
    const del = await rows<{ n: number | string }>(
      tx,
      sql`with d as (delete from audit_events where chain = ${chain}::uuid and seq <= ${cutSeq} returning 1) select count(*) as n from d`,
    );
    return { deleted: Number(del[0]?.n ?? 0), anchorSeq: cutSeq };
  });
}
