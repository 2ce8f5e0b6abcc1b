// `vigil backup` / `vigil restore` as an operator runs them: real processes, configured by the
// environment, a restore into a second, empty instance that only shares the master key and the
// erasure ledger with the first.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliInstances, vigil } from '../helpers/cli.ts';
import { testDbKind } from '../helpers/db.ts';

const masterKey = randomBytes(32).toString('base64');
const cli = cliInstances('backup-cli');
const tmp = cli.tmp;
const instance = () => cli.instance(masterKey);

describe(`vigil backup / restore (${testDbKind})`, () => {
  afterAll(() => cli.cleanup());

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
