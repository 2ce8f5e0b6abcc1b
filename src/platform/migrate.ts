// Forward-only migrations: numbered SQL files, each applied once in its own transaction and
// recorded with a checksum. Changing an applied file is an error; fixes go into a new file.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { type Database, rows } from './db.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  id: string;
  script: string;
  checksum: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const script = readFileSync(join(dir, f), 'utf8');
      return {
        id: f.replace(/\.sql$/, ''),
        script,
        checksum: createHash('sha256').update(script).digest('hex'),
      };
    });
}

export class MigrationError extends Error {}

/** Applies pending migrations; returns the ids applied. Safe to run from several nodes at once. */
export async function migrate(db: Database, migrations = listMigrations()): Promise<string[]> {
  await db.execScript(`
    create table if not exists vigil_migrations (
      id text primary key, checksum text not null, applied_at timestamptz not null default now());`);
  const applied: string[] = [];
  for (const m of migrations) {
    const done = await db.withOwner(async (tx) => {
      // Serialize concurrent migrators (several nodes starting together).
      await tx.execute(sql`select pg_advisory_xact_lock(7461626)`);
      return rows<{ checksum: string }>(tx, sql`select checksum from vigil_migrations where id = ${m.id}`);
    });
    if (done[0]) {
      if (done[0].checksum !== m.checksum)
        throw new MigrationError(`migration ${m.id} was changed after it was applied`);
      continue;
    }
    const record = `insert into vigil_migrations (id, checksum) values ('${m.id}', '${m.checksum}') on conflict (id) do nothing;`;
    await db.execScript(`select pg_advisory_xact_lock(7461626);\n${m.script}\n;${record}`);
    applied.push(m.id);
  }
  return applied;
}
