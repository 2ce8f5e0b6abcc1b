// The `vigil` CLI as an operator runs it: a real process configured by the environment, on a data
// dir of its own and (VIGIL_TEST_DB=postgres) an empty PostgreSQL database of its own.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase, testDbKind } from './db.ts';

const run = promisify(execFile);

export interface CliInstances {
  tmp(): string;
  /** The environment of a fresh installation sharing `masterKey`. */
  instance(masterKey: string): Promise<Record<string, string>>;
  cleanup(): Promise<void>;
}

export function cliInstances(prefix: string): CliInstances {
  const dirs: string[] = [];
  const dbs: TestDatabase[] = [];
  const tmp = () => {
    const d = mkdtempSync(join(tmpdir(), `vigil-${prefix}-`));
    dirs.push(d);
    return d;
  };
  return {
    tmp,
    async instance(masterKey) {
      const env: Record<string, string> = {
        ...(process.env as Record<string, string>),
        VIGIL_DATA_DIR: tmp(),
        VIGIL_MASTER_KEY: masterKey,
      };
      delete env.DATABASE_URL;
      delete env.VIGIL_MASTER_KEY_CURRENT;
      if (testDbKind === 'postgres') {
        const t = await createTestDatabase({ migrate: false });
        dbs.push(t);
        await t.db.close();
        env.DATABASE_URL = t.url!;
      }
      return env;
    },
    async cleanup() {
      for (const t of dbs) await t.drop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

export async function vigil(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; out: string; stdout: string }> {
  try {
    const r = await run(process.execPath, ['bin/vigil.mjs', ...args], { env, timeout: 120_000 });
    return { code: 0, out: r.stdout + r.stderr, stdout: r.stdout };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, out: `${x.stdout ?? ''}${x.stderr ?? ''}`, stdout: x.stdout ?? '' };
  }
}
