// The console frame: top bar (tenant, language, account, sign-out), side navigation by role.
import type { ReactNode } from 'react';
import { LOCALES, type Locale, useI18n } from '../i18n';
import { Link, navigate } from '../router';
import { useSession } from '../session';
import type { Role } from '../types';

interface NavItem {
  href: string;
  label: string;
}

export function navFor(
  t: (k: string) => string,
  slug: string | null,
  roles: Role[],
  platformAdmin: boolean,
): NavItem[] {
  const items: NavItem[] = [{ href: '/app', label: t('nav.dashboard') }];
  const has = (...r: Role[]) => r.some((x) => roles.includes(x));
  if (slug) {
    const p = `/app/t/${encodeURIComponent(slug)}`;
    if (has('agent', 'supervisor')) items.push({ href: `${p}/inbox`, label: t('nav.inbox') });
    if (has('supervisor', 'tenant_admin')) items.push({ href: `${p}/supervisor`, label: t('nav.supervisor') });
    if (has('supervisor', 'qa_reviewer')) items.push({ href: `${p}/quality`, label: t('nav.quality') });
    if (has('security_officer', 'tenant_admin')) items.push({ href: `${p}/users`, label: t('nav.users') });
    if (has('security_officer', 'dpo')) items.push({ href: `${p}/audit`, label: t('nav.audit') });
    if (has('security_officer')) items.push({ href: `${p}/alerts`, label: t('nav.alerts') });
    if (has('security_officer')) items.push({ href: `${p}/quarantine`, label: t('nav.quarantine') });
    if (roles.length) items.push({ href: `${p}/awareness`, label: t('nav.awareness') });
    if (has('security_officer')) items.push({ href: `${p}/awareness/campaigns`, label: t('nav.awarenessCampaigns') });
    if (has('supervisor', 'security_officer')) items.push({ href: `${p}/awareness/measures`, label: t('nav.awarenessMeasures') });
    if (has('tenant_admin')) items.push({ href: `${p}/tokens`, label: t('nav.tokens') });
    if (has('tenant_admin')) items.push({ href: `${p}/settings`, label: t('nav.settings') });
    if (has('tenant_admin')) items.push({ href: `${p}/widget`, label: t('nav.widget') });
    if (has('agent', 'supervisor', 'tenant_admin', 'security_officer')) items.push({ href: `${p}/cockpit`, label: t('nav.cockpit') });
    if (roles.length) items.push({ href: `${p}/access`, label: t('nav.access') });
    if (has('dpo')) items.push({ href: `${p}/dpo/requests`, label: t('nav.dpoRequests') });
    if (has('dpo')) items.push({ href: `${p}/compliance`, label: t('nav.compliance') });
    if (has('dpo', 'tenant_admin', 'security_officer'))
      items.push({ href: `${p}/governance`, label: t('nav.governance') });
  }
  if (platformAdmin) {
    items.push({ href: '/app/admin/tenants', label: t('nav.tenants') });
    items.push({ href: '/app/admin/users', label: t('nav.platformUsers') });
  }
  items.push({ href: '/app/account', label: t('nav.account') });
  return items;
}

export function Layout({ path, slug, children }: { path: string; slug: string | null; children: ReactNode }) {
  const { t, locale } = useI18n();
  const s = useSession();
  const roles = slug ? s.rolesIn(slug) : [];
  const items = navFor(t, slug, roles, s.isPlatformAdmin);
  const current = items.reduce<NavItem | null>(
    (best, i) =>
      (path === i.href || path.startsWith(`${i.href}/`)) && (!best || i.href.length > best.href.length)
        ? i
        : best,
    null,
  );
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <Link href="/app" className="brand">
          <span className="brand-mark" aria-hidden="true">
            V
          </span>
          Vigil
        </Link>
        <div className="topbar-controls">
          {s.tenants.length > 0 && (
            <label className="inline-select">
              <span>{t('nav.tenant')}</span>
              <select
                className="input select"
                value={slug ?? ''}
                onChange={(e) =>
                  navigate(e.target.value ? `/app/t/${encodeURIComponent(e.target.value)}` : '/app')
                }
              >
                {!slug && <option value="">{t('nav.chooseTenant')}</option>}
                {s.tenants.map((tn) => (
                  <option key={tn.id} value={tn.slug}>
                    {tn.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label className="inline-select">
            <span>{t('nav.language')}</span>
            <select
              className="input select"
              value={locale}
              data-testid="language"
              onChange={(e) => s.chooseLocale(e.target.value as Locale)}
            >
              {LOCALES.map((l) => (
                <option key={l} value={l}>
                  {t(`language.${l}`)}
                </option>
              ))}
            </select>
          </label>
          <span className="user-name">{s.user?.displayName}</span>
          <button type="button" className="btn btn-ghost" onClick={() => void s.signOut()}>
            {t('nav.signOut')}
          </button>
        </div>
      </header>
      <div className="body">
        <nav className="sidenav" aria-label={t('nav.main')}>
          <ul>
            {items.map((i) => (
              <li key={i.href}>
                <Link href={i.href} aria-current={current?.href === i.href ? 'page' : undefined}>
                  {i.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" className="main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
