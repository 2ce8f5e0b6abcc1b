// Repair of duplicate customers left by concurrent first contacts before contact keys existed:
// live records that share an identifier (the same blind index of an e-mail, phone or customer
// number) form a group; the record holding the contact key (else the oldest) survives and the
// others are merged into it with the ordinary merge (history moved, keys re-encrypted, audited).
// The evidence names ids, kinds, dates and counts only, never the identifiers themselves.
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';

export interface DuplicateRecord {
  id: string;
  createdAt: string;
  source: string;
  conversations: number;
  holdsContactKey: boolean;
}

export interface DuplicateGroup {
  survivor: string;
  /** Identifier kinds the records share (e.g. email). */
  sharedKinds: string[];
  records: DuplicateRecord[];
}

interface PairRow {
  kind: string;
  ids: string[];
}

interface RecordRow {
  id: string;
  created_at: string;
  source: string;
  conversations: number;
  holds_key: boolean;
}

/** Groups of live, unmerged customers of the transaction's tenant that share an identifier. */
export async function findDuplicateGroups(tx: Tx): Promise<DuplicateGroup[]> {
  const shared = await rows<PairRow>(
    tx,
    sql`select i.kind, array_agg(distinct i.customer_id::text order by i.customer_id::text) as ids
        from customer_identifiers i join customers c on c.id = i.customer_id
        where c.erased_at is null and c.merged_into is null
        group by i.kind, i.blind having count(distinct i.customer_id) > 1`,
  );
  // Union-find over the shared identifiers: A~B by e-mail and B~C by phone is one person.
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    const p = parent.get(x) ?? x;
    if (p === x) return x;
    const r = find(p);
    parent.set(x, r);
    return r;
  };
  for (const s of shared) for (const id of s.ids.slice(1)) parent.set(find(id), find(s.ids[0]!));
  const members = new Map<string, Set<string>>();
  const kinds = new Map<string, Set<string>>();
  for (const s of shared)
    for (const id of s.ids) {
      const root = find(id);
      members.set(root, (members.get(root) ?? new Set()).add(id));
      kinds.set(root, (kinds.get(root) ?? new Set()).add(s.kind));
    }
  const groups: DuplicateGroup[] = [];
  for (const [root, ids] of members) {
    const records = await rows<RecordRow>(
      tx,
      sql`select c.id::text as id, to_char(c.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at,
            c.source, (select count(*)::int from conversations v where v.customer_id = c.id) as conversations,
            exists (select 1 from customer_contact_keys k where k.customer_id = c.id) as holds_key
          from customers c where c.id = any(${`{${[...ids].join(',')}}`}::uuid[]) order by c.created_at, c.id`,
    );
    const survivor = records.find((r) => r.holds_key) ?? records[0];
    if (!survivor) continue;
    groups.push({
      survivor: survivor.id,
      sharedKinds: [...(kinds.get(root) ?? [])].sort(),
      records: records.map((r) => ({
        id: r.id,
        createdAt: r.created_at,
        source: r.source,
        conversations: r.conversations,
        holdsContactKey: r.holds_key,
      })),
    });
  }
  return groups.sort((a, b) => a.survivor.localeCompare(b.survivor));
}
