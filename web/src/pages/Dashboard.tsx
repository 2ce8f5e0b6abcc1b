// Start page: the user's tenants and roles, with the consoles each role opens.
import { useI18n } from '../i18n';
import { Link } from '../router';
import { useSession } from '../session';
import type { Role } from '../types';
import { Badge, Card, EmptyState, PageHeader } from '../ui';
import { navFor } from '../ui/Layout';

export function DashboardPage({ slug }: { slug?: string }) {
  const { t } = useI18n();
  const s = useSession();
  const tenants = slug ? s.tenants.filter((x) => x.slug === slug) : s.tenants;
  return (
    <>
      <PageHeader
        title={t('dashboard.title')}
        subtitle={t('dashboard.welcome', { name: s.user?.displayName ?? '' })}
      />
      {s.isPlatformAdmin && (
        <Card title={t('dashboard.platform')}>
          <ul className="link-list">
            <li>
              <Link href="/app/admin/tenants">{t('nav.tenants')}</Link>
            </li>
            <li>
              <Link href="/app/admin/users">{t('nav.platformUsers')}</Link>
            </li>
          </ul>
        </Card>
      )}
      {tenants.length === 0 && !s.isPlatformAdmin && (
        <EmptyState title={t('dashboard.noTenants')}>{t('dashboard.noTenantsBody')}</EmptyState>
      )}
      <div className="grid">
        {tenants.map((tn) => {
          const roles: Role[] = s.rolesIn(tn.slug);
          const links = navFor(t, tn.slug, roles, false).filter((i) => i.href.startsWith('/app/t/'));
          return (
            <Card key={tn.id} title={tn.name}>
              <div className="badges">
                {roles.map((r) => (
                  <Badge key={r} tone="info">
                    {t(`role.${r}`)}
                  </Badge>
                ))}
              </div>
              <ul className="link-list">
                {links.map((l) => (
                  <li key={l.href}>
                    <Link href={l.href}>{l.label}</Link>
                  </li>
                ))}
              </ul>
            </Card>
          );
        })}
      </div>
    </>
  );
}
