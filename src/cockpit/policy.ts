// Enterprise browser policy for a tenant's agents (Chrome and Edge): the Cockpit force-installed
// (cannot be disabled or removed), no incognito/InPrivate windows, no new profiles or guest mode,
// developer tools off on the tools' origins, and the extension's managed storage naming the
// tenant (chrome.storage.managed), which is how the extension knows it runs under policy.
import type { Tool } from './rules.ts';

export type Browser = 'chrome' | 'edge';
export const CHROME_WEB_STORE_UPDATE_URL = 'https://clients2.google.com/service/update2/crx';
export const EXTENSION_ID = /^[a-p]{32}$/;

export interface PolicyInput {
  browser: Browser;
  extensionId: string;
  updateUrl: string;
  tenantSlug: string;
  vigilUrl?: string;
  tools: Pick<Tool, 'origins' | 'enabled'>[];
}

const pattern = (origin: string) => `${origin}/*`;

export function enterprisePolicy(p: PolicyInput): Record<string, unknown> {
  const origins = [...new Set(p.tools.filter((t) => t.enabled).flatMap((t) => t.origins))].sort();
  const managed = { tenant: p.tenantSlug, ...(p.vigilUrl ? { vigilUrl: p.vigilUrl } : {}) };
  const common = {
    ExtensionInstallForcelist: [`${p.extensionId};${p.updateUrl}`],
    ExtensionSettings: {
      [p.extensionId]: {
        installation_mode: 'force_installed',
        update_url: p.updateUrl,
        toolbar_pin: 'force_pinned',
      },
    },
    // 1: developer tools are not available for force-installed extensions' pages; the blocklist
    // turns them off on the client tools themselves.
    DeveloperToolsAvailability: 1,
    DeveloperToolsAvailabilityBlocklist: origins.map(pattern),
    BrowserGuestModeEnabled: false,
    '3rdparty': { extensions: { [p.extensionId]: managed } },
  };
  if (p.browser === 'edge')
    return { ...common, InPrivateModeAvailability: 1, BrowserAddProfileEnabled: false };
  return { ...common, IncognitoModeAvailability: 1, BrowserAddPersonEnabled: false };
}
