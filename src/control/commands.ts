// The read-only CLI commands that also run inside a running embedded server, reached through
// its control socket: on PGlite only one process can open the data directory, so `keys status`,
// `audit verify` and `backup` ask the server that has it instead of refusing. Each command is
// parse (in the CLI process: usage errors, relative paths) and run (wherever the database is).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { runAuditVerifyCli } from '../audit/index.ts';
import { createBackup } from '../backup/dump.ts';
import { keyStatus } from '../crypto/index.ts';
import { ConfigError } from '../platform/config.ts';
import { rows } from '../platform/db.ts';
import type { Core } from '../runtime.ts';

export interface CommandOut {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export type CommandCore = Pick<Core, 'db' | 'provider' | 'auditLog'> & {
  config: Pick<Core['config'], 'dataDir'>;
};

export interface ControlCommand<P> {
  parse(args: string[]): P;
  run(core: CommandCore, params: P, out: CommandOut): Promise<number>;
}

const tenantIdOf = async (core: Pick<Core, 'db'>, slug: string): Promise<string> => {
  const [t] = await core.db.withPlatform((tx) =>
    rows<{ id: string }>(tx, sql`select id from tenants where slug = ${slug}`),
  );
  if (!t) throw new ConfigError(`no tenant with slug ${slug}`);
  return t.id;
};

const auditVerify: ControlCommand<{ args: string[] }> = {
  parse: (args) => ({ args }),
  run: (core, p, out) => runAuditVerifyCli(core.db, p.args, out.stdout),
};

const keysStatus: ControlCommand<{ tenant?: string }> = {
  parse(args) {
    const { values } = parseArgs({ args, options: { tenant: { type: 'string' } } });
    return values.tenant ? { tenant: values.tenant } : {};
  },
  async run(core, p, out) {
    const tenantId = p.tenant ? await tenantIdOf(core, p.tenant) : undefined;
    const status = await keyStatus({
      db: core.db,
      provider: core.provider,
      ...(tenantId ? { tenantId } : {}),
    });
    out.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return 0;
  },
};

const backup: ControlCommand<{ out: string; json: boolean }> = {
  parse(args) {
    const { values } = parseArgs({
      args,
      options: { out: { type: 'string' }, json: { type: 'boolean', default: false } },
    });
    if (!values.out) throw new ConfigError('usage: vigil backup --out DIR [--json]');
    // Absolute: the server that may write it runs in another working directory.
    return { out: resolve(values.out), json: values.json ?? false };
  },
  async run(core, p, out) {
    const { manifest } = await createBackup({
      db: core.db,
      provider: core.provider,
      dataDir: core.config.dataDir,
      outDir: p.out,
      record: async (e) => void (await core.auditLog.appendStandalone(core.db, e)),
    });
    const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
    out.stdout.write(
      p.json
        ? `${JSON.stringify({ dir: p.out, backupId: manifest.backupId, tables: manifest.tables.length, rows })}\n`
        : `backup ${manifest.backupId} written to ${p.out}: ${manifest.tables.length} tables, ${rows} rows\n`,
    );
    return 0;
  },
};

export const controlCommands = {
  'audit.verify': auditVerify,
  'keys.status': keysStatus,
  backup,
} as const;

export type ControlOp = keyof typeof controlCommands;

export const isControlOp = (op: unknown): op is ControlOp =>
  typeof op === 'string' && Object.hasOwn(controlCommands, op);
