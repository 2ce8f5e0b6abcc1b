// Platform administration: tenants (list, create) and users with memberships (create).
import { type FormEvent, useState } from 'react';
import { api } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { ROLES, type Role } from '../types';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorState,
  errorText,
  Input,
  PageHeader,
  Select,
  Spinner,
  Table,
  useToast,
} from '../ui';

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  status: string;
}

function NotAllowed() {
  const { t, code } = useI18n();
  return <EmptyState title={t('common.forbiddenTitle')}>{t('errors.forbidden')}</EmptyState>;
}

export function AdminTenantsPage() {
  const { t, code } = useI18n();
  const s = useSession();
  const toast = useToast();
  const list = useLoad(
    () =>
      s.isPlatformAdmin
        ? api<{ tenants: TenantRow[] }>('GET', '/api/v1/admin/tenants')
        : Promise.resolve({ tenants: [] }),
    [s.isPlatformAdmin],
  );
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!s.isPlatformAdmin) return <NotAllowed />;

  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(slug)) return setError(t('admin.slugInvalid'));
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/v1/admin/tenants', { slug, name: name.trim() });
      toast(t('admin.tenantCreated'));
      setSlug('');
      setName('');
      list.reload();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title={t('admin.tenantsTitle')} />
      <div className="grid grid-2-1">
        <Card title={t('admin.tenants')}>
          {list.error ? (
            <ErrorState error={list.error} onRetry={list.reload} />
          ) : !list.data ? (
            <Spinner />
          ) : (
            <Table
              caption={t('admin.tenants')}
              rows={list.data.tenants}
              rowKey={(r) => r.id}
              empty={<EmptyState title={t('admin.noTenants')} />}
              columns={[
                { key: 'name', header: t('admin.name'), render: (r) => <strong>{r.name}</strong> },
                { key: 'slug', header: t('admin.slug'), render: (r) => <code>{r.slug}</code> },
                {
                  key: 'status',
                  header: t('common.status'),
                  render: (r) => (
                    <Badge tone={r.status === 'active' ? 'success' : 'warning'}>{code('state', r.status)}</Badge>
                  ),
                },
              ]}
            />
          )}
        </Card>
        <Card title={t('admin.createTenant')}>
          <form className="stack" onSubmit={create} noValidate>
            <Input
              label={t('admin.slug')}
              hint={t('admin.slugHint')}
              value={slug}
              required
              onChange={(e) => setSlug(e.target.value.toLowerCase())}
            />
            <Input
              label={t('admin.name')}
              value={name}
              required
              maxLength={200}
              onChange={(e) => setName(e.target.value)}
            />
            {error && (
              <p className="field-error" role="alert">
                {error}
              </p>
            )}
            <Button type="submit" variant="primary" busy={busy} disabled={!slug || !name.trim()}>
              {t('admin.create')}
            </Button>
          </form>
        </Card>
      </div>
    </>
  );
}

interface MembershipDraft {
  key: number;
  tenantSlug: string;
  role: Role;
}
let mkey = 1;

export function AdminUsersPage() {
  const { t, code } = useI18n();
  const s = useSession();
  const toast = useToast();
  const tenants = useLoad(
    () =>
      s.isPlatformAdmin
        ? api<{ tenants: TenantRow[] }>('GET', '/api/v1/admin/tenants')
        : Promise.resolve({ tenants: [] }),
    [s.isPlatformAdmin],
  );
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [locale, setLocale] = useState<'en' | 'de' | 'fr'>('en');
  const [memberships, setMemberships] = useState<MembershipDraft[]>([
    { key: mkey++, tenantSlug: '', role: 'agent' },
  ]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!s.isPlatformAdmin) return <NotAllowed />;

  const tenantOptions = [
    { value: '', label: t('admin.platformWide') },
    ...(tenants.data?.tenants ?? []).map((x) => ({ value: x.slug, label: x.name })),
  ];
  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (password.length < 12) return setError(t('admin.passwordShort'));
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/api/v1/admin/users', {
        email: email.trim(),
        displayName: displayName.trim(),
        password,
        locale,
        memberships: memberships.map((m) => ({ tenantSlug: m.tenantSlug || null, role: m.role })),
      });
      toast(t('admin.userCreated'));
      setEmail('');
      setDisplayName('');
      setPassword('');
      setMemberships([{ key: mkey++, tenantSlug: '', role: 'agent' }]);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title={t('admin.usersTitle')} subtitle={t('admin.usersSubtitle')} />
      <Card title={t('admin.createUser')}>
        <form className="stack form-narrow" onSubmit={create} noValidate>
          <Input
            label={t('signIn.email')}
            type="email"
            autoComplete="off"
            value={email}
            required
            onChange={(e) => setEmail(e.target.value)}
          />
          <Input
            label={t('admin.displayName')}
            value={displayName}
            required
            maxLength={120}
            onChange={(e) => setDisplayName(e.target.value)}
          />
          <Input
            label={t('admin.initialPassword')}
            hint={t('admin.passwordHint')}
            type="password"
            autoComplete="new-password"
            value={password}
            required
            onChange={(e) => setPassword(e.target.value)}
          />
          <Select
            label={t('nav.language')}
            value={locale}
            onChange={(e) => setLocale(e.target.value as 'en' | 'de' | 'fr')}
            options={[
              { value: 'en', label: t('language.en') },
              { value: 'de', label: t('language.de') },
              { value: 'fr', label: t('language.fr') },
            ]}
          />
          <fieldset className="fieldset">
            <legend>{t('admin.memberships')}</legend>
            {memberships.map((m, i) => (
              <div className="row align-end" key={m.key}>
                <Select
                  label={t('admin.tenant')}
                  value={m.tenantSlug}
                  options={tenantOptions}
                  onChange={(e) =>
                    setMemberships(
                      memberships.map((x, j) => (j === i ? { ...x, tenantSlug: e.target.value } : x)),
                    )
                  }
                />
                <Select
                  label={t('admin.role')}
                  value={m.role}
                  options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))}
                  onChange={(e) =>
                    setMemberships(
                      memberships.map((x, j) => (j === i ? { ...x, role: e.target.value as Role } : x)),
                    )
                  }
                />
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() => setMemberships(memberships.filter((_, j) => j !== i))}
                >
                  {t('roles.remove')}
                </Button>
              </div>
            ))}
            <Button
              size="sm"
              onClick={() => setMemberships([...memberships, { key: mkey++, tenantSlug: '', role: 'agent' }])}
            >
              {t('admin.addMembership')}
            </Button>
          </fieldset>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <Button type="submit" variant="primary" busy={busy} disabled={!email || !displayName || !password}>
            {t('admin.create')}
          </Button>
        </form>
      </Card>
    </>
  );
}
