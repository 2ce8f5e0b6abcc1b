// `vigil backup --out DIR [--json]` and `vigil restore --from DIR [--ledger-dir DIR] [--json]`.
// Both use the configured database and key provider (DATABASE_URL / VIGIL_DATA_DIR,
// VIGIL_MASTER_KEY or the key file, or Vault transit). Restore needs the same master key as the
// installation the backup came from, and that installation's erasure ledger (its data dir, or
// --ledger-dir pointing at a copy of it). Exit 0: done and the audit log verifies; 1: refused or
// the restored audit log does not verify; 2: usage.
import { parseArgs } from 'node:util';
import { createAuditLog } from '../audit/log.ts';
import { createLocalKeyProvider, createVaultTransitProvider, type KeyProvider } from '../crypto/index.ts';
import { type Config, ConfigError, loadConfig } from '../platform/config.ts';
import { type Database, openDatabase, pgliteDirFor } from '../platform/db.ts';
import { loadCheckpointSigner } from '../platform/signing-key.ts';
import { BackupRejected, restoreBackup } from './restore.ts';

function providerFor(config: Config): KeyProvider {
  return config.keyProvider === 'vault-transit'
    ? createVaultTransitProvider({
        address: config.vaultAddr!,
        token: config.vaultToken!,
        keyName: config.vaultTransitKey!,
      })
    : createLocalKeyProvider({
        dataDir: config.dataDir,
        ...(config.masterKey ? { masterKey: config.masterKey } : {}),
        currentVersion: config.masterKeyCurrent,
      });
}

const openConfigured = (config: Config) =>
  openDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDir: config.databaseUrl ? undefined : pgliteDirFor(config.dataDir),
  });

/** On a running embedded server, the backup is taken by that server (one snapshot, never torn). */
export async function backupCommand(args: string[]): Promise<number> {
  const { runReadOnly } = await import('../control/index.ts');
  const config = loadConfig();
  return runReadOnly({
    op: 'backup',
    args,
    dataDir: config.dataDir,
    embedded: !config.databaseUrl,
    openLocal: (fn) =>
      withLockedDb(config, false, (db) =>
        fn({ db, provider: providerFor(config), auditLog: auditLogFor(config, db), config }),
      ),
  });
}

const auditLogFor = (config: Config, db: Database) =>
  createAuditLog({ db, signer: loadCheckpointSigner(config.dataDir) });

/** The data-directory lock (alone: no server may run, on either engine), then the database. */
async function withLockedDb<T>(config: Config, alone: boolean, fn: (db: Database) => Promise<T>): Promise<T> {
  const { lockDataDirFor } = await import('../runtime.ts');
  const lock = await lockDataDirFor(config, alone ? 'restore' : 'backup', alone);
  try {
    const db = await openConfigured(config);
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  } finally {
    lock.release();
  }
}

export async function restoreCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      'ledger-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.from) throw new ConfigError('usage: vigil restore --from DIR [--ledger-dir DIR] [--json]');
  const config = loadConfig();
  return withLockedDb(config, true, (db) => restoreInto(config, db, values));
}

async function restoreInto(
  config: Config,
  db: Database,
  values: { from?: string; 'ledger-dir'?: string; json?: boolean },
): Promise<number> {
  try {
    const log = auditLogFor(config, db);
    const report = await restoreBackup({
      db,
      provider: providerFor(config),
      fromDir: values.from!,
      ledgerDir: values['ledger-dir'] ?? config.dataDir,
      record: async (e) => void (await log.appendStandalone(db, e)),
    });
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else {
      console.log(
        `restored backup ${report.backupId} (${report.createdAt}): ${report.tables} tables, ${report.rows} rows`,
      );
      console.log(
        `erasure ledger replayed: ${report.ledger.entries} entries, ${report.ledger.keysDestroyed} keys destroyed again`,
      );
      const r = report.revoked;
      console.log(
        `revoked everything issued before the restore: ${r.sessions} sessions, ${r.apiTokens} API tokens, ${r.scimTokens} SCIM tokens, ${r.cockpitDevices} Cockpit extensions (sign in again; integrations need new tokens)`,
      );
      console.log(
        report.audit.ok
          ? `audit log verified: ${report.audit.events} events in ${report.audit.chains} chains`
          : `audit log TAMPERED: first bad seq ${report.audit.firstBad?.seq} (${report.audit.firstBad?.kind})`,
      );
    }
    return report.audit.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof BackupRejected) {
      console.error(`vigil: restore refused: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
