// `vigil customers dedupe --tenant slug [--apply] [--json]`: lists groups of duplicate customers
// with their evidence (dry run, the default) or merges each group into its survivor (--apply).
import { parseArgs } from 'node:util';
import { type DuplicateGroup, findDuplicateGroups } from '../customers/dedupe.ts';
import { createCustomerService } from '../customers/service.ts';
import { systemContext } from '../ingest/index.ts';
import { ConfigError } from '../platform/config.ts';
import type { Core } from '../runtime.ts';
import { createTenancyService } from '../tenancy/service.ts';

const USAGE = 'usage: vigil customers dedupe --tenant slug [--apply] [--json]';

export interface CliOut {
  write(s: string): unknown;
}

export async function runCustomersCli(
  core: Pick<Core, 'db' | 'keyring' | 'audit' | 'secrets'>,
  args: string[],
  out: CliOut,
): Promise<number> {
  if (args[0] !== 'dedupe') throw new ConfigError(USAGE);
  const { values } = parseArgs({
    args: args.slice(1),
    options: {
      tenant: { type: 'string' },
      apply: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.tenant) throw new ConfigError(USAGE);
  const tenant = await createTenancyService({ db: core.db, secrets: core.secrets }).tenantBySlug(
    values.tenant,
  );
  if (!tenant) throw new ConfigError(`no tenant with slug ${values.tenant}`);
  const groups = await core.db.withTenant(tenant.id, (tx) => findDuplicateGroups(tx));
  let merged = 0;
  if (values.apply) {
    const customers = createCustomerService({ db: core.db, keyring: core.keyring, audit: core.audit });
    const ctx = systemContext({ id: tenant.id, slug: tenant.slug, name: tenant.name });
    for (const g of groups)
      for (const r of g.records) {
        if (r.id === g.survivor) continue;
        // The ordinary merge: moves the history, re-encrypts, shreds the duplicate's key, audits.
        await customers.merge(ctx, g.survivor, r.id);
        merged++;
      }
  }
  if (values.json)
    out.write(`${JSON.stringify({ tenant: tenant.slug, dryRun: !values.apply, groups, merged }, null, 2)}\n`);
  else out.write(describe(groups, !values.apply, merged));
  return 0;
}

function describe(groups: DuplicateGroup[], dryRun: boolean, merged: number): string {
  const lines: string[] = [];
  for (const g of groups) {
    lines.push(`group (shared ${g.sharedKinds.join(', ')}): survivor ${g.survivor}`);
    for (const r of g.records)
      lines.push(
        `  ${r.id === g.survivor ? '*' : '-'} ${r.id} created ${r.createdAt} source ${r.source} conversations ${r.conversations}${r.holdsContactKey ? ' contact-key' : ''}`,
      );
  }
  lines.push(
    dryRun
      ? `${groups.length} duplicate group(s); dry run, nothing changed (re-run with --apply to merge)`
      : `${groups.length} duplicate group(s); ${merged} record(s) merged`,
  );
  return `${lines.join('\n')}\n`;
}
