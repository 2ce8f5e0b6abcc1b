// The `vigil` command line. Each verb validates its arguments and exits with a one-line error.
import { parseArgs } from 'node:util';
import { readDemoCredentials } from '../demo/seed.ts';
import { ConfigError, loadConfig } from '../platform/config.ts';
import { DataDirBusyError, EXIT_DATA_DIR_BUSY } from '../platform/data-dir-lock.ts';

type Verb = (args: string[]) => Promise<number>;

const usage = `usage: vigil <command>
  serve [--demo]                 start the server (and the demo data with --demo)
  migrate                        apply database migrations
  user create --email E --name N --role ROLE[@tenant-slug]... (password from VIGIL_NEW_PASSWORD or stdin)
  tenant create --slug S --name N
  demo-credentials [--json]      print the demo sign-ins (demo mode only)
  audit verify [--tenant slug] [--json]
  keys status | keys rotate --tenant slug | keys rotate-master
  token create --tenant slug --scope calls:write [--name N]   (prints the token once)
  pii scan [--jsonl] [--lang de|en|fr] [--region DE] [--channel voice]
  backup --out DIR [--json]      encrypted, integrity-checked backup of the database
  restore --from DIR [--ledger-dir DIR] [--json]   into an empty instance, replays erasures, verifies the audit log
  customers dedupe --tenant slug [--apply] [--json]   find (and with --apply merge) duplicate customers`;

const verbs: Record<string, Verb> = {
  async serve(args) {
    const { values } = parseArgs({ args, options: { demo: { type: 'boolean', default: false } } });
    const { startVigil } = await import('../runtime.ts');
    const config = loadConfig(process.env, values.demo ? { demo: true } : {});
    await startVigil(config, { printDemoLogins: true, handleSignals: true });
    return -1; // keep running
  },
  async migrate() {
    const { withRuntimeDb } = await import('../runtime.ts');
    return withRuntimeDb(loadConfig(), async ({ applied }) => {
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
      return 0;
    });
  },
  async 'demo-credentials'(args) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } });
    const config = loadConfig();
    const users = readDemoCredentials(config.dataDir);
    if (!users) {
      console.error('no demo credentials: start Vigil with `npm start` (demo mode) first');
      return 1;
    }
    if (values.json) console.log(JSON.stringify({ users }, null, 2));
    else
      for (const u of users)
        console.log(`${u.role}\t${u.email}\t${u.password}\t${u.totpSecret}\t${u.tenants.join(',')}`);
    return 0;
  },
  async user(args) {
    if (args[0] !== 'create')
      throw new ConfigError('usage: vigil user create --email E --name N --role ROLE[@tenant]');
    const { createUserCommand } = await import('./admin-commands.ts');
    return createUserCommand(args.slice(1));
  },
  async tenant(args) {
    if (args[0] !== 'create') throw new ConfigError('usage: vigil tenant create --slug S --name N');
    const { createTenantCommand } = await import('./admin-commands.ts');
    return createTenantCommand(args.slice(1));
  },
  async audit(args) {
    if (args[0] !== 'verify') throw new ConfigError('usage: vigil audit verify [--tenant slug] [--json]');
    const { auditVerifyCommand } = await import('./admin-commands.ts');
    return auditVerifyCommand(args.slice(1));
  },
  async keys(args) {
    const { keysCommand } = await import('./admin-commands.ts');
    return keysCommand(args);
  },
  async token(args) {
    if (args[0] !== 'create')
      throw new ConfigError('usage: vigil token create --tenant slug --scope calls:write [--name N]');
    const { values } = parseArgs({
      args: args.slice(1),
      options: {
        tenant: { type: 'string' },
        scope: { type: 'string', multiple: true },
        name: { type: 'string' },
      },
    });
    if (!values.tenant || !values.scope?.length)
      throw new ConfigError('usage: vigil token create --tenant slug --scope calls:write [--name N]');
    const { withRuntimeDb } = await import('../runtime.ts');
    const { issueApiToken } = await import('../tenancy/index.ts');
    const { sql } = await import('drizzle-orm');
    const { rows } = await import('../platform/db.ts');
    return withRuntimeDb(loadConfig(), async ({ db }) => {
      const [t] = await db.withPlatform((tx) =>
        rows<{ id: string }>(tx, sql`select id from tenants where slug = ${values.tenant}`),
      );
      if (!t) {
        console.error('vigil: no such tenant');
        return 1;
      }
      const r = await issueApiToken(db, {
        tenantId: t.id,
        name: values.name ?? 'cli',
        scopes: values.scope ?? [],
      });
      console.log(r.token);
      return 0;
    });
  },
  async backup(args) {
    const { backupCommand } = await import('../backup/cli.ts');
    return backupCommand(args);
  },
  async restore(args) {
    const { restoreCommand } = await import('../backup/cli.ts');
    return restoreCommand(args);
  },
  async customers(args) {
    const { runCustomersCli } = await import('./customer-commands.ts');
    const { withRuntimeDb } = await import('../runtime.ts');
    return withRuntimeDb(loadConfig(), (core) => runCustomersCli(core, args, process.stdout));
  },
  async pii(args) {
    if (args[0] !== 'scan') throw new ConfigError('usage: vigil pii scan [--jsonl]');
    const { runPiiScan } = await import('../pii/cli.ts');
    return runPiiScan(args.slice(1), process.stdin, process.stdout);
  },
};

export async function runCli(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const fn = verb ? verbs[verb] : undefined;
  if (!fn) {
    console.error(usage);
    return verb === undefined || verb === '--help' ? 0 : 2;
  }
  try {
    const code = await fn(rest);
    return Math.max(code, 0);
  } catch (e) {
    if (e instanceof DataDirBusyError) {
      console.error(`vigil: ${e.message}`);
      return EXIT_DATA_DIR_BUSY;
    }
    if (e instanceof ConfigError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`vigil: ${(e as Error).message}`);
      return 2;
    }
    console.error(`vigil: ${(e as Error).message.split('\n')[0]}`);
    return 1;
  }
}
