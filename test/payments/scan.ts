// Where a card number must never be: every table of the database dumped as text (each row cast
// to text, bytea as hex), the raw database bytes (PGlite data dir / all text values), the captured
// log lines. The tests add their own API responses and transcripts.
import { sql } from 'drizzle-orm';
import { rows } from '../../src/platform/db.ts';
import { databaseBytes, type World } from '../conversations/fixture.ts';

export async function dumpTablesAsText(w: World): Promise<string> {
  const db = w.v.core.db;
  const tables = await db.withOwner((tx) =>
    rows<{ t: string }>(
      tx,
      sql`select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    ),
  );
  const parts: string[] = [];
  for (const { t } of tables) {
    const r = await db.withOwner((tx) =>
      rows<{ v: string }>(tx, sql`select x::text as v from ${sql.identifier(t)} x`),
    );
    parts.push(`-- ${t}\n${r.map((x) => x.v).join('\n')}`);
  }
  return parts.join('\n');
}

/** The card number in the spellings it could take: plain, grouped by spaces or dashes. */
export const spellings = (pan: string) => [
  pan,
  pan.replace(/(\d{4})(?=\d)/g, '$1 '),
  pan.replace(/(\d{4})(?=\d)/g, '$1-'),
];

export async function findCardTraces(w: World, pans: string[], extraTexts: string[] = []) {
  const dump = await dumpTablesAsText(w);
  const raw = (await databaseBytes(w)).toString('latin1');
  const logs = w.v.logs.join('\n');
  const extra = extraTexts.join('\n');
  const hits: string[] = [];
  for (const pan of pans)
    for (const s of spellings(pan)) {
      if (dump.includes(s)) hits.push(`table dump: ${s}`);
      if (raw.includes(s)) hits.push(`database bytes: ${s}`);
      if (logs.includes(s)) hits.push(`logs: ${s}`);
      if (extra.includes(s)) hits.push(`responses: ${s}`);
    }
  return { hits, dumpLength: dump.length, rawLength: raw.length, logLines: w.v.logs.length, dump, logs };
}
