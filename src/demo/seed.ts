// Demo mode: two client companies and one user per role, with fresh random passwords and TOTP
// secrets. The logins are written to <dataDir>/demo-credentials.json (mode 0600) for
// `vigil demo-credentials --json` and printed once at start-up.
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newTotpSecret } from '../auth/totp.ts';
import type { Role } from '../authz/roles.ts';
import type { TenancyService } from '../tenancy/service.ts';

export interface DemoLogin {
  email: string;
  password: string;
  totpSecret: string;
  role: Role;
  tenants: string[];
  displayName: string;
}

export const DEMO_TENANTS = [
  { slug: 'acme-shop', name: 'ACME Shop GmbH', defaultRegion: 'DE' },
  { slug: 'globex-energy', name: 'Globex Energy Ltd', defaultRegion: 'GB' },
] as const;

const DEMO_USERS: Array<Omit<DemoLogin, 'password' | 'totpSecret'>> = [
  {
    email: 'anna.agent@vigil.demo',
    displayName: 'Anna Agent',
    role: 'agent',
    tenants: ['acme-shop', 'globex-energy'],
  },
  { email: 'ben.agent@vigil.demo', displayName: 'Ben Agent', role: 'agent', tenants: ['acme-shop'] },
  {
    email: 'sara.supervisor@vigil.demo',
    displayName: 'Sara Supervisor',
    role: 'supervisor',
    tenants: ['acme-shop', 'globex-energy'],
  },
  {
    email: 'tom.admin@vigil.demo',
    displayName: 'Tom Tenant-Admin',
    role: 'tenant_admin',
    tenants: ['acme-shop', 'globex-energy'],
  },
  {
    email: 'sven.security@vigil.demo',
    displayName: 'Sven Security',
    role: 'security_officer',
    tenants: ['acme-shop', 'globex-energy'],
  },
  {
    email: 'dora.dpo@vigil.demo',
    displayName: 'Dora DPO',
    role: 'dpo',
    tenants: ['acme-shop', 'globex-energy'],
  },
  { email: 'paul.platform@vigil.demo', displayName: 'Paul Platform', role: 'platform_admin', tenants: [] },
];

const WORDS = [
  'amber',
  'basalt',
  'cobalt',
  'delta',
  'ember',
  'fjord',
  'granite',
  'harbor',
  'indigo',
  'juniper',
  'kestrel',
  'lagoon',
  'meadow',
  'nimbus',
  'orchid',
  'pebble',
  'quartz',
  'raven',
  'sierra',
  'tundra',
  'umber',
  'violet',
  'willow',
  'zephyr',
];
const demoPassword = () =>
  `${Array.from({ length: 4 }, () => WORDS[randomInt(WORDS.length)]).join('-')}-${randomInt(100, 1000)}`;

export const demoCredentialsPath = (dataDir: string) => join(dataDir, 'demo-credentials.json');

export function readDemoCredentials(dataDir: string): DemoLogin[] | null {
  const p = demoCredentialsPath(dataDir);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as { users: DemoLogin[] }).users : null;
}

/** Seeds the demo once (no-op when the tenants exist) and returns the logins. */
export async function seedDemo(deps: {
  tenancy: TenancyService;
  dataDir: string;
}): Promise<{ created: boolean; logins: DemoLogin[] }> {
  const existing = readDemoCredentials(deps.dataDir);
  if (existing && (await deps.tenancy.tenantBySlug(DEMO_TENANTS[0].slug)))
    return { created: false, logins: existing };
  const ids = new Map<string, string>();
  for (const t of DEMO_TENANTS) {
    const found = await deps.tenancy.tenantBySlug(t.slug);
    ids.set(t.slug, found ? found.id : (await deps.tenancy.createTenant(t)).id);
  }
  const logins: DemoLogin[] = [];
  for (const u of DEMO_USERS) {
    const login: DemoLogin = { ...u, password: demoPassword(), totpSecret: newTotpSecret() };
    await deps.tenancy.createUser({
      email: u.email,
      displayName: u.displayName,
      password: login.password,
      totpSecret: login.totpSecret,
      memberships: u.tenants.length
        ? u.tenants.map((slug) => ({ tenantId: ids.get(slug)!, role: u.role }))
        : [{ tenantId: null, role: u.role }],
    });
    logins.push(login);
  }
  writeFileSync(demoCredentialsPath(deps.dataDir), `${JSON.stringify({ users: logins }, null, 2)}\n`, {
    mode: 0o600,
  });
  return { created: true, logins };
}

export function formatDemoLogins(logins: DemoLogin[], baseUrl: string): string {
  const lines = logins.map(
    (l) =>
      `  ${l.role.padEnd(17)} ${l.email.padEnd(28)} ${l.password.padEnd(34)} TOTP secret ${l.totpSecret}  [${l.tenants.join(', ') || 'platform'}]`,
  );
  return [
    `Vigil demo is running at ${baseUrl}`,
    'Demo sign-ins (password, then the TOTP code from the secret):',
    ...lines,
    '`vigil demo-credentials --json` prints these again.',
  ].join('\n');
}

/** Contact-center demo data (queues, widget, customers, conversations); call after seedDemo. */
export { seedContactCenterDemo } from './contact-center.ts';
