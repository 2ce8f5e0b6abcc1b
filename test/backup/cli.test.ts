// `vigil backup` / `vigil restore` as an operator runs them: real processes, configured by the
// environment, a restore into a second, empty instance that only shares the master key and the
// erasure ledger with the first.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDbKind } from '../helpers/db.ts';

const run = promisify(execFile);
const masterKey = randomBytes(32).toString('base64');
const dirs: string[] = [];
const dbs: TestDatabase[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-backup-cli-'));
  dirs.push(d);
  return d;
};

async function instance(): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    VIGIL_DATA_DIR: tmp(),
    VIGIL_MASTER_KEY: masterKey,
  };
  delete env.DATABASE_URL;
  if (testDbKind === 'postgres') {
    const t = await createTestDatabase({ migrate: false });
    dbs.push(t);
    await t.db.close();
    env.DATABASE_URL = t.url!;
  }
  return env;
}

async function vigil(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(process.execPath, ['bin/vigil.mjs', ...args], { env, timeout: 120_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? -1, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}

describe(`vigil backup / restore (${testDbKind})`, () => {
  afterAll(async () => {
    for (const t of dbs) await t.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('backs up one instance and restores it into an empty one; refuses twice and when corrupted', async () => {
    const a = await instance();
    expect((await vigil(a, 'tenant', 'create', '--slug', 'cli-backup', '--name', 'CLI Backup')).code).toBe(0);
    const out = join(tmp(), 'backup');
    const b = await vigil(a, 'backup', '--out', out);
    expect(b.out).toMatch(/backup [0-9a-f-]{36} written/);
    expect(b.code).toBe(0);

    const target = await instance();
    const r = await vigil(target, 'restore', '--from', out, '--ledger-dir', a.VIGIL_DATA_DIR as string);
    expect(r.out).toMatch(/audit log verified/);
    expect(r.code).toBe(0);
    const again = await vigil(target, 'restore', '--from', out, '--ledger-dir', a.VIGIL_DATA_DIR as string);
    expect(again).toMatchObject({ code: 1 });
    expect(again.out).toMatch(/restore refused: the target database is not empty/);
    const verify = await vigil(target, 'audit', 'verify');
    expect(verify.out).toMatch(/audit log verified/);

    const part = join(out, '00001.part');
    const bytes = readFileSync(part);
    bytes[20] = (bytes[20] as number) ^ 0xff;
    writeFileSync(part, bytes);
    const corrupted = await vigil(
      await instance(),
      'restore',
      '--from',
      out,
      '--ledger-dir',
      a.VIGIL_DATA_DIR as string,
    );
    expect(corrupted).toMatchObject({ code: 1 });
    expect(corrupted.out).toMatch(/00001\.part is corrupted/);
  }, 600_000);
});
