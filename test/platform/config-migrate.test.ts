// Configuration is validated once with one-line errors; migrations are forward-only and idempotent
// on both databases, and an edited, already-applied migration is refused.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';
import { listMigrations, migrate } from '../../src/platform/migrate.ts';
import { createTestDatabase, testDbKind } from '../helpers/db.ts';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      sessionIdleMinutes: 15,
      sessionAbsoluteHours: 10,
      smtpPort: 2525,
    });
    expect(c.databaseUrl).toBeUndefined();
  });

  it('refuses invalid values with one line naming the setting', () => {
    for (const env of [
      { PORT: 'abc' },
      { PORT: '70000' },
      { DATABASE_URL: 'mysql://x' },
      { VIGIL_KEY_PROVIDER: 'vault-transit' },
      { VIGIL_SESSION_IDLE_MINUTES: '0' },
    ]) {
      const e = (() => {
        try {
          loadConfig(env);
        } catch (x) {
          return x;
        }
      })();
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('the CLI exits non-zero with the one-line explanation', () => {
    const r = spawnSync('node', ['bin/vigil.mjs', 'migrate'], {
      env: { ...process.env, PORT: 'not-a-port' },
      encoding: 'utf8',
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/port/);
  });
});

describe(`migrations (${testDbKind})`, () => {
  it('apply once, then nothing; an edited applied migration is refused', async () => {
    const t = await createTestDatabase({ migrate: false });
    try {
      const first = await migrate(t.db);
      expect(first).toEqual(listMigrations().map((m) => m.id));
      expect(await migrate(t.db)).toEqual([]);
      const dir = mkdtempSync(join(tmpdir(), 'mig-'));
      const [m1] = listMigrations();
      writeFileSync(
        join(dir, `${m1!.id}.sql`),
        `${readFileSync(join('src/platform/migrations', `${m1!.id}.sql`), 'utf8')}\n-- edited`,
      );
      await expect(migrate(t.db, listMigrations(dir))).rejects.toThrow(/changed after it was applied/);
    } finally {
      await t.drop();
    }
  });
});
