// Administrative CLI verbs that need the database: users, tenants, audit verification, keys.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isRole, type Role } from '../authz/roles.ts';
import { runReadOnly } from '../control/index.ts';
import { rotateMasterKey, rotateTenantKey } from '../crypto/index.ts';
import { ConfigError, loadConfig } from '../platform/config.ts';
import { withRuntimeDb } from '../runtime.ts';
import { createTenancyService } from '../tenancy/service.ts';

const tenantIdOf = async (
  core: Parameters<Parameters<typeof withRuntimeDb>[1]>[0],
  slug: string,
): Promise<string> => {
  const t = await createTenancyService({ db: core.db, secrets: core.secrets }).tenantBySlug(slug);
  if (!t) throw new ConfigError(`no tenant with slug ${slug}`);
  return t.id;
};

export async function createUserCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', multiple: true },
      locale: { type: 'string' },
    },
  });
  if (!values.email || !values.name || !values.role?.length)
    throw new ConfigError('--email, --name and at least one --role ROLE[@tenant] are required');
  const password = process.env.VIGIL_NEW_PASSWORD ?? readFileSync(0, 'utf8').trim();
  return withRuntimeDb(loadConfig(), async (core) => {
    const memberships: Array<{ tenantId: string | null; role: Role }> = [];
    for (const spec of values.role ?? []) {
      const [role, slug] = spec.split('@');
      if (!role || !isRole(role)) throw new ConfigError(`unknown role ${role}`);
      memberships.push({ role, tenantId: slug ? await tenantIdOf(core, slug) : null });
    }
    const tenancy = createTenancyService({ db: core.db, secrets: core.secrets });
    const u = await tenancy.createUser({
      email: values.email!,
      displayName: values.name!,
      password,
      memberships,
      locale: values.locale === 'de' || values.locale === 'fr' ? values.locale : 'en',
    });
    console.log(`created user ${u.id}; TOTP enrolment happens at first sign-in`);
    return 0;
  });
}

export async function createTenantCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { slug: { type: 'string' }, name: { type: 'string' }, region: { type: 'string' } },
  });
  if (!values.slug || !values.name) throw new ConfigError('--slug and --name are required');
  return withRuntimeDb(loadConfig(), async (core) => {
    const tenancy = createTenancyService({
      db: core.db,
      secrets: core.secrets,
      onTenantCreated: (id) => core.keyring.ensureTenantKeys(id),
    });
    const t = await tenancy.createTenant({
      slug: values.slug!,
      name: values.name!,
      ...(values.region ? { defaultRegion: values.region } : {}),
    });
    console.log(`created tenant ${t.id}`);
    return 0;
  });
}

/** Read-only verbs: locally, or in the running embedded server that holds the data directory. */
const readOnly = (op: 'audit.verify' | 'keys.status', args: string[]) => {
  const config = loadConfig();
  return runReadOnly({
    op,
    args,
    dataDir: config.dataDir,
    embedded: !config.databaseUrl,
    openLocal: (fn) => withRuntimeDb(config, fn),
  });
};

export const auditVerifyCommand = (args: string[]): Promise<number> => readOnly('audit.verify', args);

export async function keysCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'status') return readOnly('keys.status', rest);
  const { values } = parseArgs({ args: rest, options: { tenant: { type: 'string' } } });
  const config = loadConfig();
  return withRuntimeDb(config, async (core) => {
    const { provider } = core;
    if (sub === 'rotate') {
      if (!values.tenant) throw new ConfigError('usage: vigil keys rotate --tenant slug');
      const p = await rotateTenantKey({
        keyring: core.keyring,
        tenantId: await tenantIdOf(core, values.tenant),
        onProgress: (x) =>
          process.stderr.write(`\rre-encrypted ${x.rowsReencrypted} of ${x.rowsScanned} rows`),
      });
      // Subject keys are wrapped by the DEK: most of a rotation's work is re-wrapping them.
      console.log(
        `\ntenant key rotated to version ${p.targetVersion}: ${p.subjectsRewrapped} subject keys re-wrapped, ` +
          `${p.rowsReencrypted} of ${p.rowsScanned} values re-encrypted`,
      );
      return 0;
    }
    if (sub === 'rotate-master') {
      console.log(JSON.stringify(await rotateMasterKey({ db: core.db, provider }), null, 2));
      return 0;
    }
    throw new ConfigError('usage: vigil keys status | rotate --tenant slug | rotate-master');
  });
}
