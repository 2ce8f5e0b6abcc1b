// Compiles an agent's view of the tool catalogue into declarativeNetRequest dynamic rules.
// Pure: the caller supplies the tools, the agent's roles and queues per tenant, and the time.
// Priorities: ambiguous encoding 200 > tools' cookies stripped from other sites 150 > forbidden
// path 100 > whole tool blocked 50 > allowed path 20 > rest of tool 10 > Vigil itself 3 > sites
// outside the catalogue 2 > the extension's own fallback 1 (catalogued origins blocked until rules
// arrive). Regexes are matched case-insensitively (paths are compared in lower case).
import { createHash } from 'node:crypto';
import { isWithinSchedule } from '../monitoring/schedule.ts';
import type { Schedule } from '../monitoring/types.ts';
import { AMBIGUOUS_ENCODING, originRegex, pathPatternRegex } from './paths.ts';
import type { EffectiveSettings } from './settings.ts';

export type DownloadPolicy = 'block' | 'allow' | 'record';
export type BlockReason =
  | 'path_forbidden'
  | 'path_not_allowed'
  | 'outside_hours'
  | 'not_permitted'
  | 'path_ambiguous'
  | 'not_catalogued';

export interface Tool {
  id: string;
  tenantId: string;
  name: string;
  origins: string[];
  allowedPaths: string[];
  forbiddenPaths: string[];
  roles: string[];
  queues: string[];
  allowedHours: Schedule | null;
  downloadPolicy: DownloadPolicy;
  enabled: boolean;
}

export interface AgentScope {
  /** Roles per tenant id. */
  roles: Map<string, string[]>;
  /** Queue ids per tenant id. */
  queues: Map<string, string[]>;
}

export interface DnrRule {
  id: number;
  priority: number;
  action:
    | { type: 'allow' | 'block' }
    | { type: 'redirect'; redirect: { regexSubstitution: string } }
    | { type: 'modifyHeaders'; requestHeaders: Array<{ header: string; operation: 'remove' }> };
  condition: {
    regexFilter: string;
    resourceTypes: string[];
    isUrlFilterCaseSensitive: false;
    domainType?: 'thirdParty';
  };
}

export interface CompiledTool {
  id: string;
  tenantId: string;
  name: string;
  origins: string[];
  downloadPolicy: DownloadPolicy;
  /** null when the tool may be used now. */
  blocked: BlockReason | null;
}

export interface CompiledRules {
  version: string;
  rules: DnrRule[];
  tools: CompiledTool[];
  /** What the extension itself enforces: offline lock, heartbeat interval, unlisted sites. */
  settings: Pick<EffectiveSettings, 'unlistedSites' | 'offlineGraceSeconds' | 'heartbeatSeconds'>;
}

/** The extension replaces this with its own block page URL (the server does not know its id). */
export const BLOCK_PAGE = '{{BLOCK}}';
const FRAMES = ['main_frame', 'sub_frame'];
const SUBRESOURCES = [
  'xmlhttprequest',
  'script',
  'image',
  'media',
  'font',
  'stylesheet',
  'object',
  'ping',
  'websocket',
  'other',
];
const QUERY_TAIL = '(?:[?#].*)?$';

export function toolState(tool: Tool, scope: AgentScope, now: number): BlockReason | null {
  const roles = scope.roles.get(tool.tenantId) ?? [];
  if (!tool.enabled || !roles.some((r) => tool.roles.includes(r))) return 'not_permitted';
  if (tool.queues.length > 0) {
    const mine = scope.queues.get(tool.tenantId) ?? [];
    if (!tool.queues.some((q) => mine.includes(q))) return 'not_permitted';
  }
  if (tool.allowedHours && !isWithinSchedule(tool.allowedHours, now)) return 'outside_hours';
  return null;
}

export interface CompileOptions {
  settings: CompiledRules['settings'];
  /** Vigil's own origins: never caught by the rule for sites outside the catalogue. */
  vigilOrigins?: string[];
}

const DEFAULT_OPTIONS: CompileOptions = {
  settings: { unlistedSites: 'allow', offlineGraceSeconds: 30, heartbeatSeconds: 10 },
};

export function compileRules(
  tools: Tool[],
  scope: AgentScope,
  now: number,
  opts: CompileOptions = DEFAULT_OPTIONS,
): CompiledRules {
  const rules: DnrRule[] = [];
  let id = 1000;
  const push = (
    priority: number,
    regex: string,
    action: DnrRule['action'],
    types: string[],
    extra: Partial<DnrRule['condition']> = {},
  ) =>
    rules.push({
      id: id++,
      priority,
      action,
      condition: { regexFilter: regex, resourceTypes: types, isUrlFilterCaseSensitive: false, ...extra },
    });
  const block = (priority: number, regex: string, tool: Tool, reason: BlockReason) => {
    const target = `${BLOCK_PAGE}?r=${reason}&t=${tool.id}#\\1`;
    push(priority, regex, { type: 'redirect', redirect: { regexSubstitution: target } }, FRAMES);
    push(priority, regex, { type: 'block' }, SUBRESOURCES);
  };

  const compiled: CompiledTool[] = [];
  for (const tool of [...tools].sort((a, b) => a.id.localeCompare(b.id))) {
    const state = toolState(tool, scope, now);
    compiled.push({
      id: tool.id,
      tenantId: tool.tenantId,
      name: tool.name,
      origins: tool.origins,
      downloadPolicy: tool.downloadPolicy,
      blocked: state,
    });
    for (const origin of tool.origins) {
      const o = originRegex(origin);
      const whole = `^${o}(/[^?#]*)?${QUERY_TAIL}`;
      block(200, `^${o}(/[^?#]*${AMBIGUOUS_ENCODING}[^?#]*)${QUERY_TAIL}`, tool, 'path_ambiguous');
      // Requests other sites make to the tool (frames, fetch, images, forms in frames) go without
      // its cookies. Top-level navigations are left to SameSite: DNR counts one typed into the
      // address bar (no initiator) as third-party too.
      if (opts.settings.unlistedSites === 'strip_cookies')
        push(
          150,
          whole,
          { type: 'modifyHeaders', requestHeaders: [{ header: 'cookie', operation: 'remove' }] },
          ['sub_frame', ...SUBRESOURCES],
          { domainType: 'thirdParty' },
        );
      if (state) {
        block(50, whole, tool, state);
        continue;
      }
      for (const p of tool.forbiddenPaths)
        block(100, `^${o}(${pathPatternRegex(p)})${QUERY_TAIL}`, tool, 'path_forbidden');
      if (tool.allowedPaths.length > 0) {
        for (const p of tool.allowedPaths)
          push(20, `^${o}(?:${pathPatternRegex(p)})${QUERY_TAIL}`, { type: 'allow' }, [
            ...FRAMES,
            ...SUBRESOURCES,
          ]);
        block(10, whole, tool, 'path_not_allowed');
      } else {
        push(10, whole, { type: 'allow' }, [...FRAMES, ...SUBRESOURCES]);
      }
    }
  }
  if (opts.settings.unlistedSites === 'block') {
    for (const v of opts.vigilOrigins ?? [])
      push(3, `^${originRegex(v)}(/[^?#]*)?${QUERY_TAIL}`, { type: 'allow' }, FRAMES);
    const target = `${BLOCK_PAGE}?r=not_catalogued#\\1`;
    push(
      2,
      `^https?://[^/?#]+(/[^?#]*)?${QUERY_TAIL}`,
      { type: 'redirect', redirect: { regexSubstitution: target } },
      FRAMES,
    );
  }
  const version = createHash('sha256')
    .update(JSON.stringify({ rules, compiled, settings: opts.settings }))
    .digest('base64url')
    .slice(0, 16);
  return { version, rules, tools: compiled, settings: opts.settings };
}
