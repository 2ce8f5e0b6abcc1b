// Signed tree heads. The root comes from the compact range kept in the chain head, so a
// checkpoint costs O(log n) regardless of the chain length. Runs as the owner: it is a
// maintenance job (scheduled, or on demand after sensitive operations).
import { sql } from 'drizzle-orm';
import { type Database, rows, type Tx } from '../platform/db.ts';
import { CompactRange } from './merkle.ts';
import { checkpointMessage } from './signing.ts';
import { toBuffer } from './store.ts';
import { type AuditSigner, type Checkpoint, chainOf } from './types.ts';

export async function registerSigningKey(tx: Tx, signer: AuditSigner): Promise<void> {
  await tx.execute(
    sql`insert into audit_signing_keys (key_id, public_key_pem) values (${signer.keyId}, ${signer.publicKeyPem}) on conflict (key_id) do nothing`,
  );
}

async function checkpointInTx(
  tx: Tx,
  signer: AuditSigner,
  tenantId: string | null,
  now: Date,
): Promise<Checkpoint | undefined> {
  const chain = chainOf(tenantId);
  const head = (
    await rows<{ last_seq: number | string; frontier: Uint8Array }>(
      tx,
      sql`select last_seq, frontier from audit_heads where chain = ${chain}::uuid for share`,
    )
  )[0];
  if (!head) return undefined;
  const size = Number(head.last_seq);
  const last = await rows<{ n: number | string }>(
    tx,
    sql`select coalesce(max(tree_size), -1) as n from audit_checkpoints where chain = ${chain}::uuid`,
  );
  if (Number(last[0]?.n ?? -1) === size) return undefined;
  const root = CompactRange.deserialize(size, toBuffer(head.frontier)).root();
  const time = now.toISOString();
  const signature = signer.sign(checkpointMessage(tenantId, size, root.toString('hex'), time));
  await registerSigningKey(tx, signer);
  await tx.execute(sql`insert into audit_checkpoints (tenant_id, tree_size, root_hash, time, key_id, signature)
    values (${tenantId}::uuid, ${size}, ${root}, ${time}::timestamptz, ${signer.keyId}, ${signature})`);
  return {
    tenantId,
    treeSize: size,
    rootHash: root.toString('hex'),
    time,
    keyId: signer.keyId,
    signature: signature.toString('base64'),
  };
}

/** Signs the chain's current tree head; undefined if the chain is empty or already checkpointed. */
export function createChainCheckpoint(
  db: Database,
  signer: AuditSigner,
  tenantId: string | null,
  clock: () => Date = () => new Date(),
) {
  return db.withOwner((tx) => checkpointInTx(tx, signer, tenantId, clock()));
}

export async function createCheckpointsForAllChains(
  db: Database,
  signer: AuditSigner,
  clock: () => Date = () => new Date(),
): Promise<number> {
  return db.withOwner(async (tx) => {
    const heads = await rows<{ tenant_id: string | null }>(
      tx,
      sql`select tenant_id::text as tenant_id from audit_heads order by chain`,
    );
    let made = 0;
    for (const h of heads) if (await checkpointInTx(tx, signer, h.tenant_id, clock())) made++;
    return made;
  });
}

/** Runs createCheckpointsForAllChains every `intervalMs`; returns a stop function. */
export function scheduleCheckpoints(
  db: Database,
  signer: AuditSigner,
  intervalMs: number,
  onError: (e: unknown) => void = () => {},
) {
  const timer = setInterval(() => {
    createCheckpointsForAllChains(db, signer).catch(onError);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
