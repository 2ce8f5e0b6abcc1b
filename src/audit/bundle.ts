// Export of one chain for independent verification by the client company with
// tools/verify-audit-bundle.mjs (Node builtins only). Ids and hashes only: events hold no
// personal data values by construction.
import { sql } from 'drizzle-orm';
import { type Database, rows } from '../platform/db.ts';
import { EVENT_COLUMNS, type EventRow, isoTimeSql, rowToEvent, toBuffer } from './store.ts';
import { type Anchor, type AuditEvent, type Checkpoint, chainOf } from './types.ts';

export interface AuditBundle {
  format: 'vigil-audit-bundle/v1';
  tenantId: string | null;
  exportedAt: string;
  anchor: Anchor | null;
  head: { lastSeq: number; lastHash: string } | null;
  checkpoints: Checkpoint[];
  publicKeys: Record<string, string>;
  events: AuditEvent[];
}

export async function exportAuditBundle(db: Database, tenantId: string | null): Promise<AuditBundle> {
  const chain = chainOf(tenantId);
  return db.withOwner(async (tx) => {
    await tx.execute(sql`set transaction isolation level repeatable read`);
    const events = (
      await rows<EventRow>(
        tx,
        sql`select ${EVENT_COLUMNS} from audit_events where chain = ${chain}::uuid order by seq`,
      )
    ).map(rowToEvent);
    const cps = await rows<{
      tree_size: number | string;
      root_hash: Uint8Array;
      time: string;
      key_id: string;
      signature: Uint8Array;
    }>(
      tx,
      sql`select tree_size, root_hash, ${sql.raw(isoTimeSql('time'))} as time, key_id, signature
          from audit_checkpoints where chain = ${chain}::uuid order by tree_size, id`,
    );
    const anchors = await rows<{
      seq: number | string;
      last_hash: Uint8Array;
      frontier: Uint8Array;
      time: string;
      key_id: string;
      signature: Uint8Array;
    }>(
      tx,
      sql`select seq, last_hash, frontier, ${sql.raw(isoTimeSql('time'))} as time, key_id, signature
          from audit_retention_anchors where chain = ${chain}::uuid order by seq desc limit 1`,
    );
    const heads = await rows<{ last_seq: number | string; last_hash: Uint8Array }>(
      tx,
      sql`select last_seq, last_hash from audit_heads where chain = ${chain}::uuid`,
    );
    const keys = await rows<{ key_id: string; public_key_pem: string }>(
      tx,
      sql`select key_id, public_key_pem from audit_signing_keys`,
    );
    const a = anchors[0];
    const h = heads[0];
    return {
      format: 'vigil-audit-bundle/v1' as const,
      tenantId,
      exportedAt: new Date().toISOString(),
      anchor: a
        ? {
            tenantId,
            seq: Number(a.seq),
            lastHash: toBuffer(a.last_hash).toString('hex'),
            frontier: toBuffer(a.frontier).toString('hex'),
            time: a.time,
            keyId: a.key_id,
            signature: toBuffer(a.signature).toString('base64'),
          }
        : null,
      head: h ? { lastSeq: Number(h.last_seq), lastHash: toBuffer(h.last_hash).toString('hex') } : null,
      checkpoints: cps.map((c) => ({
        tenantId,
        treeSize: Number(c.tree_size),
        rootHash: toBuffer(c.root_hash).toString('hex'),
        time: c.time,
        keyId: c.key_id,
        signature: toBuffer(c.signature).toString('base64'),
      })),
      publicKeys: Object.fromEntries(keys.map((k) => [k.key_id, k.public_key_pem])),
      events,
    };
  });
}
