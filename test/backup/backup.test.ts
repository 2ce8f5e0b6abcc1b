// Encrypted backups: taken from a live database, restored into an empty instance, with the
// erasure ledger replayed (a subject erased after the backup stays erased) and the audit log
// verified; corrupted or tampered backups, foreign keys and stale ledgers are refused.
import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/log.ts';
import { generateAuditSigner } from '../../src/audit/signing.ts';
import { createBackup } from '../../src/backup/dump.ts';
import { BackupRejected, restoreBackup } from '../../src/backup/restore.ts';
import {
  createKeyring,
  createLocalKeyProvider,
  type KeyProvider,
  type Keyring,
} from '../../src/crypto/index.ts';
import { type Database, openDatabase, rows } from '../../src/platform/db.ts';
import { isVigilError } from '../../src/platform/errors.ts';
import { createTestDatabase, type TestDatabase, testDbKind } from '../helpers/db.ts';

const masterKey = randomBytes(32).toString('base64');
const tmp = (p: string) => mkdtempSync(join(tmpdir(), `vigil-backup-${p}-`));

/** An empty instance of the same engine: a PGlite data dir, or an empty PostgreSQL database. */
async function emptyInstance(inMemory = false): Promise<{ db: Database; drop(): Promise<void> }> {
  if (testDbKind === 'postgres') return createTestDatabase({ migrate: false });
  if (inMemory) {
    const db = await openDatabase({});
    return { db, drop: () => db.close() };
  }
  const dir = tmp('pg');
  const db = await openDatabase({ pgliteDir: dir });
  return {
    db,
    drop: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const field = (tenantId: string, rowId: string) => ({
  tenantId,
  table: 'customers',
  column: 'name_enc',
  rowId,
  subjectId: rowId,
});

describe(`backup and restore (${testDbKind})`, () => {
  let src: TestDatabase;
  let dataDir: string;
  let provider: KeyProvider;
  let keyring: Keyring;
  let tenant: string;
  const alice = randomUUID();
  const bob = randomUUID();
  const early = randomUUID();
  let backupDir: string;
  const signer = generateAuditSigner('backup-test');

  beforeAll(async () => {
    src = await createTestDatabase();
    dataDir = tmp('data');
    provider = createLocalKeyProvider({ dataDir, masterKey });
    keyring = createKeyring({ db: src.db, provider, dataDir });
    [{ id: tenant }] = (await src.db.withOwner((tx) =>
      rows<{ id: string }>(
        tx,
        sql`insert into tenants (slug, name) values (${`bk-${randomBytes(4).toString('hex')}`}, 'Backup Co') returning id`,
      ),
    )) as [{ id: string }];
    await keyring.ensureTenantKeys(tenant);
    for (const [id, name] of [
      [alice, 'Alice Erased'],
      [bob, 'Bob Kept'],
      [early, 'Early Erased'],
    ] as const) {
      const enc = await keyring.encryptField(field(tenant, id), name);
      await src.db.withOwner((tx) =>
        tx.execute(sql`insert into customers (id, tenant_id, name_enc) values (${id}, ${tenant}, ${enc})`),
      );
    }
    // An erasure before the backup: the manifest records the ledger head.
    await keyring.shredSubject(tenant, early);
    const log = createAuditLog({ db: src.db, signer });
    for (let i = 0; i < 25; i++) {
      await log.appendStandalone(src.db, {
        tenantId: tenant,
        actorType: 'user',
        actorId: 'u1',
        action: 'customer.read',
        resourceType: 'customer',
        resourceId: bob,
        outcome: 'success',
      });
      if (i === 10) await log.createCheckpoint(tenant);
    }
    await log.appendStandalone(src.db, {
      tenantId: null,
      actorType: 'system',
      action: 'platform.start',
      outcome: 'success',
    });
    backupDir = join(tmp('out'), 'b1');
    await createBackup({ db: src.db, provider, dataDir, outDir: backupDir, partRows: 7 });
    // After the backup: Alice is erased (ledger entry, key destroyed in the live database).
    await keyring.shredSubject(tenant, alice);
  });
  afterAll(async () => {
    await src.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes encrypted parts and a manifest, never the master key or a plaintext value', () => {
    const files = readdirSync(backupDir);
    expect(files).toContain('manifest.json');
    expect(files.filter((f) => f.endsWith('.part')).length).toBeGreaterThan(3);
    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'vigil-backup/1', erasureLedger: { entries: 1 } });
    expect(manifest.tables.find((t: { name: string }) => t.name === 'audit_events').rows).toBe(26);
    const all = Buffer.concat(files.map((f) => readFileSync(join(backupDir, f))));
    expect(all.includes(Buffer.from(masterKey, 'base64'))).toBe(false);
    expect(all.includes(Buffer.from(masterKey))).toBe(false);
    for (const s of ['Bob Kept', 'customer.read', 'Backup Co'])
      expect(all.includes(Buffer.from(s))).toBe(false);
  });

  it('restores into an empty instance: erased after the backup stays erased, audit log verifies', async () => {
    const target = await emptyInstance();
    try {
      const restoredLog = createAuditLog({ db: target.db, signer });
      const report = await restoreBackup({
        db: target.db,
        provider: createLocalKeyProvider({ dataDir: tmp('other'), masterKey }),
        fromDir: backupDir,
        ledgerDir: dataDir,
        record: async (e) => void (await restoredLog.appendStandalone(target.db, e)),
      });
      expect(report.ledger).toMatchObject({ entries: 2, keysDestroyed: 1 });
      expect(report.audit).toMatchObject({ ok: true, events: 26, chains: 2 });
      const onTarget = createKeyring({ db: target.db, provider, dataDir });
      const name = async (id: string) => {
        const [r] = await target.db.withOwner((tx) =>
          rows<{ n: Uint8Array }>(tx, sql`select name_enc as n from customers where id = ${id}`),
        );
        return onTarget.decryptFieldText(field(tenant, id), Buffer.from(r!.n));
      };
      expect(await name(bob)).toBe('Bob Kept');
      for (const id of [alice, early]) {
        const e = await name(id).then(
          () => undefined,
          (x: unknown) => x,
        );
        expect(isVigilError(e) && e.code).toBe('data_erased');
      }
      // The restore itself is on the platform chain, and sequences continue after the restored rows.
      const [ev] = await target.db.withOwner((tx) =>
        rows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from audit_events where action = 'backup.restore'`,
        ),
      );
      expect(ev!.n).toBe(1);
      await restoredLog.createCheckpoint(tenant);
      const [cp] = await target.db.withOwner((tx) =>
        rows<{ n: number }>(tx, sql`select count(*)::int as n from audit_checkpoints`),
      );
      expect(cp!.n).toBe(2);
    } finally {
      await target.drop();
    }
  });

  const rejects = async (
    dir: string,
    message: RegExp,
    opts: { ledgerDir?: string; provider?: KeyProvider } = {},
  ) => {
    const target = await emptyInstance(true);
    try {
      const e = await restoreBackup({
        db: target.db,
        provider: opts.provider ?? provider,
        fromDir: dir,
        ledgerDir: opts.ledgerDir ?? dataDir,
      }).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(BackupRejected);
      expect((e as Error).message).toMatch(message);
      // Nothing was written: not even the schema.
      const [t] = await target.db.withOwner((tx) =>
        rows<{ r: string | null }>(tx, sql`select to_regclass('public.tenants')::text as r`),
      );
      expect(t!.r).toBeNull();
    } finally {
      await target.drop();
    }
  };
  const copyBackup = (mutate: (dir: string) => void) => {
    const dir = join(tmp('copy'), 'b');
    rmSync(dir, { recursive: true, force: true });
    cpSync(backupDir, dir, { recursive: true });
    mutate(dir);
    return dir;
  };

  it('refuses a corrupted part, a tampered manifest, another master key and a stale ledger', async () => {
    await rejects(
      copyBackup((d) => {
        const f = join(d, '00003.part');
        const b = readFileSync(f);
        b[b.length >> 1] = (b[b.length >> 1] as number) ^ 1;
        writeFileSync(f, b);
      }),
      /00003\.part is corrupted/,
    );
    await rejects(
      copyBackup((d) => {
        const m = JSON.parse(readFileSync(join(d, 'manifest.json'), 'utf8'));
        m.erasureLedger = { entries: 0, headHash: null };
        writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
      }),
      /manifest failed authentication/,
    );
    await rejects(backupDir, /does not unwrap/, {
      provider: createLocalKeyProvider({ dataDir: tmp('k'), masterKey: randomBytes(32).toString('base64') }),
    });
    await rejects(backupDir, /erasure ledger is older/, { ledgerDir: tmp('noledger') });
  });

  it('refuses a target that is not empty', async () => {
    const e = await restoreBackup({ db: src.db, provider, fromDir: backupDir, ledgerDir: dataDir }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect((e as Error).message).toMatch(/not empty/);
  });
});
