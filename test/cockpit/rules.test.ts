// Pure parts of the Cockpit: path templating and the compilation of the catalogue into
// declarativeNetRequest rules (evaluated with Node's RegExp, which agrees with RE2 on these).
import { describe, expect, it } from 'vitest';
import { normalizePath, pathMatches, templatePath } from '../../src/cockpit/paths.ts';
import { type AgentScope, compileRules, type Tool } from '../../src/cockpit/rules.ts';

const tool = (over: Partial<Tool> = {}): Tool => ({
  id: '11111111-1111-4111-8111-111111111111',
  tenantId: 't1',
  name: 'CRM',
  origins: ['https://crm.client.example'],
  allowedPaths: [],
  forbiddenPaths: ['/admin/export', '/settings/users'],
  roles: ['agent'],
  queues: [],
  allowedHours: null,
  downloadPolicy: 'record',
  enabled: true,
  ...over,
});
const agentIn = (tenant = 't1', queues: string[] = []): AgentScope => ({
  roles: new Map([[tenant, ['agent']]]),
  queues: new Map([[tenant, queues]]),
});

/** What the browser would do with a main-frame navigation to url: the winning rule's action. */
function decide(rules: ReturnType<typeof compileRules>['rules'], url: string): string {
  const hits = rules
    .filter(
      (r) =>
        r.condition.resourceTypes.includes('main_frame') &&
        r.action.type !== 'modifyHeaders' &&
        new RegExp(r.condition.regexFilter, 'i').test(url),
    )
    .sort((a, b) => b.priority - a.priority);
  const top = hits[0];
  if (!top) return 'none';
  if (top.action.type !== 'redirect') return top.action.type;
  return new URL(
    top.action.redirect.regexSubstitution.replace('{{BLOCK}}', 'chrome-extension://x/block.html'),
  ).searchParams.get('r')!;
}

describe('templatePath', () => {
  it.each([
    ['/orders/48213377?email=a@b.example#x', '/orders/:id'],
    ['/customers/3f2b8c1e-0f4a-4c55-9a7e-2d1f4b5e6a7c/edit', '/customers/:id/edit'],
    ['/tickets/INC-0042', '/tickets/:id'],
    ['/users/jane.doe%40example.com', '/users/:id'],
    ['/Reports/Monthly', '/reports/monthly'],
    ['/', '/'],
  ])('%s → %s', (raw, templated) => expect(templatePath(raw)).toBe(templated));

  it('is idempotent (the server re-templates what the extension sent)', () => {
    expect(templatePath(templatePath('/a/123/b/deadbeef99'))).toBe('/a/:id/b/:id');
  });
});

describe('pathMatches', () => {
  it('matches a pattern and everything below it, ids as :id, * as a wildcard', () => {
    expect(pathMatches('/admin/export', '/admin/export')).toBe(true);
    expect(pathMatches('/admin/export', '/admin/export/all?x=1')).toBe(true);
    expect(pathMatches('/admin/export', '/admin/exporter')).toBe(false);
    expect(pathMatches('/orders/:id', '/orders/77/items')).toBe(true);
    expect(pathMatches('/reports/*', '/reports/2026/q1')).toBe(true);
  });
});

describe('compileRules', () => {
  const base = 'https://crm.client.example';
  it('blocks never-allowed paths and allows the rest of an unrestricted tool', () => {
    const { rules } = compileRules([tool()], agentIn(), Date.now());
    expect(decide(rules, `${base}/orders/1`)).toBe('allow');
    expect(decide(rules, `${base}/admin/export?format=csv`)).toBe('path_forbidden');
    expect(decide(rules, `${base}/settings/users/5`)).toBe('path_forbidden');
  });

  it('with an allow list, anything not on it is blocked, and forbidden still wins', () => {
    const { rules } = compileRules([tool({ allowedPaths: ['/orders', '/admin'] })], agentIn(), Date.now());
    expect(decide(rules, `${base}/orders/9`)).toBe('allow');
    expect(decide(rules, `${base}/billing`)).toBe('path_not_allowed');
    expect(decide(rules, `${base}/admin/export`)).toBe('path_forbidden');
    expect(decide(rules, `${base}/admin/other`)).toBe('allow');
  });

  it('blocks the whole tool outside its hours, for the wrong role or queue, or when disabled', () => {
    const monday10utc = Date.parse('2026-11-23T10:00:00Z');
    const hours = {
      timeZone: 'Europe/Berlin',
      slots: [{ days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' }],
    };
    expect(
      decide(compileRules([tool({ allowedHours: hours })], agentIn(), monday10utc).rules, `${base}/x`),
    ).toBe('allow');
    const sunday = Date.parse('2026-11-22T10:00:00Z');
    expect(decide(compileRules([tool({ allowedHours: hours })], agentIn(), sunday).rules, `${base}/x`)).toBe(
      'outside_hours',
    );
    expect(
      decide(compileRules([tool({ roles: ['supervisor'] })], agentIn(), sunday).rules, `${base}/x`),
    ).toBe('not_permitted');
    expect(
      decide(compileRules([tool({ queues: ['q1'] })], agentIn('t1', ['q2']), sunday).rules, `${base}/x`),
    ).toBe('not_permitted');
    expect(
      decide(compileRules([tool({ queues: ['q1'] })], agentIn('t1', ['q1']), sunday).rules, `${base}/x`),
    ).toBe('allow');
    expect(decide(compileRules([tool({ enabled: false })], agentIn(), sunday).rules, `${base}/x`)).toBe(
      'not_permitted',
    );
  });

  it('passes only the path (no query or fragment) to the block page, and changes version with the rules', () => {
    const a = compileRules([tool()], agentIn(), 0);
    const redirect = a.rules.find(
      (r) => r.action.type === 'redirect' && r.action.redirect.regexSubstitution.includes('path_forbidden'),
    )!;
    expect(JSON.stringify(redirect.action)).toContain('#\\\\1');
    const m = new RegExp(redirect.condition.regexFilter).exec(`${base}/admin/export/x?secret=1#frag`);
    expect(m?.[1]).toBe('/admin/export/x');
    expect(compileRules([tool({ downloadPolicy: 'block' })], agentIn(), 0).version).not.toBe(a.version);
    expect(compileRules([tool()], agentIn(), 0).version).toBe(a.version);
  });
});

describe('normalised matching (issue 31)', () => {
  const base = 'https://crm.client.example';
  const opts = (unlistedSites: 'block' | 'allow' | 'strip_cookies') => ({
    settings: { unlistedSites, offlineGraceSeconds: 30, heartbeatSeconds: 10 },
    vigilOrigins: ['https://vigil.example.com'],
  });

  it.each([
    ['/orders/..%2fadmin/refunds', null],
    ['/orders/%2e%2e/admin', null],
    ['/a%5cb', null],
    ['/a%252fb', null],
    ['/bad%zz', null],
    ['/ADMIN/Export', '/admin/export'],
    ['/orders/../admin/./export', '/admin/export'],
    ['/%61dmin/export?x=1', '/admin/export'],
  ])('normalizePath(%s) = %s', (raw, want) => expect(normalizePath(raw)).toBe(want));

  it('refuses ambiguous encodings and matches forbidden paths in any case', () => {
    const { rules } = compileRules([tool()], agentIn(), 0, opts('allow'));
    expect(decide(rules, `${base}/orders/..%2fadmin/export`)).toBe('path_ambiguous');
    expect(decide(rules, `${base}/orders/..%2Fadmin/export`)).toBe('path_ambiguous');
    expect(decide(rules, `${base}/ADMIN/Export`)).toBe('path_forbidden');
    expect(decide(rules, `${base}/orders/1`)).toBe('allow');
    expect(rules.every((r) => r.condition.isUrlFilterCaseSensitive === false)).toBe(true);
    expect(pathMatches('/admin/export', '/orders/../ADMIN/export')).toBe(true);
    expect(pathMatches('/orders/*', '/orders/..%2fadmin')).toBe(false);
  });

  it('sites outside the catalogue: blocked (Vigil still reachable), or without the tools cookies', () => {
    const blocked = compileRules([tool()], agentIn(), 0, opts('block')).rules;
    expect(decide(blocked, 'https://news.example/today')).toBe('not_catalogued');
    expect(decide(blocked, 'https://vigil.example.com/app')).toBe('allow');
    expect(decide(blocked, `${base}/orders`)).toBe('allow');
    expect(decide(compileRules([tool()], agentIn(), 0, opts('allow')).rules, 'https://news.example/')).toBe(
      'none',
    );
    const strip = compileRules([tool()], agentIn(), 0, opts('strip_cookies')).rules.filter(
      (r) => r.action.type === 'modifyHeaders',
    );
    expect(strip).toHaveLength(1);
    expect(strip[0]!.condition).toMatchObject({ domainType: 'thirdParty' });
    expect(strip[0]!.condition.resourceTypes).not.toContain('main_frame');
  });
});
