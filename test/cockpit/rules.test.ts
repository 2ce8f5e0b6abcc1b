// Pure parts of the Cockpit: path templating and the compilation of the catalogue into
// declarativeNetRequest rules (evaluated with Node's RegExp, which agrees with RE2 on these).
import { describe, expect, it } from 'vitest';
import { pathMatches, templatePath } from '../../src/cockpit/paths.ts';
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
        r.condition.resourceTypes.includes('main_frame') && new RegExp(r.condition.regexFilter).test(url),
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
    const redirect = a.rules.find((r) => r.action.type === 'redirect')!;
    expect(JSON.stringify(redirect.action)).toContain('#\\\\1');
    const m = new RegExp(redirect.condition.regexFilter).exec(`${base}/admin/export/x?secret=1#frag`);
    expect(m?.[1]).toBe('/admin/export/x');
    expect(compileRules([tool({ downloadPolicy: 'block' })], agentIn(), 0).version).not.toBe(a.version);
    expect(compileRules([tool()], agentIn(), 0).version).toBe(a.version);
  });
});
