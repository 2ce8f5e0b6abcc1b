// Inclusion and consistency proofs served from the database. The leaf hashes of the requested
// tree are read as the owner (proofs are for auditors; RLS is enforced by the caller's route).
// Events removed by a retention purge cannot be proven any more.
import { sql } from 'drizzle-orm';
import { type Database, rows } from '../platform/db.ts';
import { invalidInput, notFound } from '../platform/errors.ts';
import { consistencyPath, inclusionPath, merkleRoot } from './merkle.ts';
import { toBuffer } from './store.ts';
import { chainOf } from './types.ts';

export interface InclusionProof {
  tenantId: string | null;
  seq: number;
  treeSize: number;
  leafHash: string;
  path: string[];
  rootHash: string;
}

export interface ConsistencyProof {
  tenantId: string | null;
  first: number;
  second: number;
  firstRoot: string;
  secondRoot: string;
  path: string[];
}

async function leafHashes(db: Database, tenantId: string | null, treeSize: number): Promise<Buffer[]> {
  const r = await db.withOwner((tx) =>
    rows<{ seq: number | string; hash: Uint8Array }>(
      tx,
      sql`select seq, hash from audit_events where chain = ${chainOf(tenantId)}::uuid and seq <= ${treeSize} order by seq`,
    ),
  );
  if (r.length !== treeSize || (r[0] && Number(r[0].seq) !== 1)) throw notFound('audit tree');
  return r.map((x) => Buffer.from(toBuffer(x.hash)));
}

export async function buildInclusionProof(
  db: Database,
  tenantId: string | null,
  seq: number,
  treeSize: number,
): Promise<InclusionProof> {
  if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(treeSize) || seq < 1 || seq > treeSize)
    throw invalidInput('invalid proof range');
  const leaves = await leafHashes(db, tenantId, treeSize);
  return {
    tenantId,
    seq,
    treeSize,
    leafHash: (leaves[seq - 1] as Buffer).toString('hex'),
    path: inclusionPath(leaves, seq - 1, treeSize).map((h) => h.toString('hex')),
    rootHash: merkleRoot(leaves).toString('hex'),
  };
}

export async function buildConsistencyProof(
  db: Database,
  tenantId: string | null,
  first: number,
  second: number,
): Promise<ConsistencyProof> {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 1 || first > second)
    throw invalidInput('invalid proof range');
  const leaves = await leafHashes(db, tenantId, second);
  return {
    tenantId,
    first,
    second,
    firstRoot: merkleRoot(leaves, 0, first).toString('hex'),
    secondRoot: merkleRoot(leaves).toString('hex'),
    path: consistencyPath(leaves, first, second).map((h) => h.toString('hex')),
  };
}
