// Access and training of one tenant: every member sees and acknowledges their required trainings
// and registers this browser as a device; supervisors approve devices and see expiring trainings;
// tenant admins set the network/device policy per role and define trainings.
import { type FormEvent, useState } from 'react';
import { api, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import type { Role } from '../types';
import {
  Alert,
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
  TextArea,
  useToast,
} from '../ui';

interface MyTraining {
  id: string;
  title: string;
  kind: 'training' | 'policy';
  version: number;
  valid: boolean;
  expiresAt: string | null;
}
interface Policy {
  role: string;
  ipAllow: string[] | null;
  deviceApproval: boolean;
}
interface DeviceApproval {
  deviceId: string;
  userId: string;
  status: 'pending' | 'approved' | 'rejected';
  requestedAt: string;
}
interface Expiring {
  trainingId: string;
  userId: string;
  expiresAt: string;
}

const POLICY_ROLES = ['*', 'agent', 'supervisor', 'tenant_admin', 'security_officer', 'dpo', 'qa_reviewer'];

export function AccessPolicyPage({ slug }: { slug: string }) {
  const { t } = useI18n();
  const roles = useSession().rolesIn(slug);
  const has = (...r: Role[]) => r.some((x) => roles.includes(x));
  return (
    <>
      <PageHeader title={t('access.title')} subtitle={t('access.subtitle')} />
      <MyTrainings slug={slug} />
      <ThisDevice />
      {has('supervisor', 'tenant_admin') && <DeviceApprovals slug={slug} />}
      {has('supervisor', 'tenant_admin') && <ExpiringTrainings slug={slug} />}
      {has('tenant_admin') && <Policies slug={slug} />}
      {has('tenant_admin') && <DefineTraining slug={slug} />}
      {has('tenant_admin') && <Provisioning slug={slug} />}
    </>
  );
}

function MyTrainings({ slug }: { slug: string }) {
  const { t, formatDateTime } = useI18n();
  const toast = useToast();
  const mine = useLoad(
    () => api<{ trainings: MyTraining[] }>('GET', tenantPath(slug, '/trainings/mine')),
    [slug],
  );
  const acknowledge = async (id: string) => {
    try {
      await api('POST', tenantPath(slug, `/trainings/${id}/completions`), {});
      toast(t('access.recorded'));
      mine.reload();
    } catch (e) {
      toast(errorText(t, e), 'danger');
    }
  };
  return (
    <Card title={t('access.myTrainings')}>
      {mine.error ? (
        <ErrorState error={mine.error} onRetry={mine.reload} />
      ) : !mine.data ? (
        <Spinner />
      ) : (
        <Table
          caption={t('access.myTrainings')}
          rows={mine.data.trainings}
          rowKey={(r) => r.id}
          empty={<EmptyState title={t('access.noTrainings')} />}
          columns={[
            { key: 'title', header: t('access.trainingTitle'), render: (r) => `${r.title} (v${r.version})` },
            {
              key: 'state',
              header: t('access.state'),
              render: (r) => (
                <Badge tone={r.valid ? 'success' : 'warning'}>
                  {r.valid ? t('access.valid') : t('access.due')}
                </Badge>
              ),
            },
            { key: 'expires', header: t('access.expiresAt'), render: (r) => formatDateTime(r.expiresAt) },
            {
              key: 'actions',
              header: t('common.actions'),
              className: 'cell-actions',
              render: (r) =>
                r.valid ? null : (
                  <Button size="sm" variant="primary" onClick={() => void acknowledge(r.id)}>
                    {r.kind === 'policy' ? t('access.acknowledge') : t('access.markCompleted')}
                  </Button>
                ),
            },
          ]}
        />
      )}
    </Card>
  );
}

function ThisDevice() {
  const { t } = useI18n();
  const toast = useToast();
  const [deviceId, setDeviceId] = useState<string | null>(null);
  const register = async () => {
    try {
      setDeviceId((await api<{ deviceId: string }>('POST', '/api/v1/devices')).deviceId);
    } catch (e) {
      toast(errorText(t, e), 'danger');
    }
  };
  return (
    <Card title={t('access.thisDevice')}>
      <p>{t('access.deviceHelp')}</p>
      {deviceId ? (
        <Alert tone="info">
          {t('access.deviceRegistered')} <code>{deviceId}</code>
        </Alert>
      ) : (
        <Button onClick={() => void register()}>{t('access.registerDevice')}</Button>
      )}
    </Card>
  );
}

function DeviceApprovals({ slug }: { slug: string }) {
  const { t, formatDateTime } = useI18n();
  const toast = useToast();
  const list = useLoad(
    () => api<{ devices: DeviceApproval[] }>('GET', tenantPath(slug, '/access/devices?status=pending')),
    [slug],
  );
  const decide = async (id: string, decision: 'approve' | 'reject') => {
    try {
      await api('POST', tenantPath(slug, `/access/devices/${id}/${decision}`));
      toast(decision === 'approve' ? t('access.approved') : t('access.rejected'));
      list.reload();
    } catch (e) {
      toast(errorText(t, e), 'danger');
    }
  };
  return (
    <Card title={t('access.pendingDevices')}>
      {list.error ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : !list.data ? (
        <Spinner />
      ) : (
        <Table
          caption={t('access.pendingDevices')}
          rows={list.data.devices}
          rowKey={(r) => r.deviceId}
          empty={<EmptyState title={t('access.noPendingDevices')} />}
          columns={[
            { key: 'user', header: t('access.user'), render: (r) => <code>{r.userId}</code> },
            { key: 'device', header: t('access.device'), render: (r) => <code>{r.deviceId}</code> },
            { key: 'at', header: t('access.requestedAt'), render: (r) => formatDateTime(r.requestedAt) },
            {
              key: 'actions',
              header: t('common.actions'),
              className: 'cell-actions',
              render: (r) => (
                <>
                  <Button size="sm" variant="primary" onClick={() => void decide(r.deviceId, 'approve')}>
                    {t('access.approve')}
                  </Button>{' '}
                  <Button size="sm" variant="danger" onClick={() => void decide(r.deviceId, 'reject')}>
                    {t('access.reject')}
                  </Button>
                </>
              ),
            },
          ]}
        />
      )}
    </Card>
  );
}

function ExpiringTrainings({ slug }: { slug: string }) {
  const { t, formatDateTime } = useI18n();
  const list = useLoad(
    () => api<{ expiring: Expiring[] }>('GET', tenantPath(slug, '/trainings/expiring?withinDays=30')),
    [slug],
  );
  return (
    <Card title={t('access.expiring')}>
      {list.error ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : !list.data ? (
        <Spinner />
      ) : (
        <Table
          caption={t('access.expiring')}
          rows={list.data.expiring}
          rowKey={(r) => `${r.trainingId}:${r.userId}`}
          empty={<EmptyState title={t('access.noneExpiring')} />}
          columns={[
            { key: 'user', header: t('access.user'), render: (r) => <code>{r.userId}</code> },
            {
              key: 'training',
              header: t('access.trainingTitle'),
              render: (r) => <code>{r.trainingId}</code>,
            },
            { key: 'expires', header: t('access.expiresAt'), render: (r) => formatDateTime(r.expiresAt) },
          ]}
        />
      )}
    </Card>
  );
}

function Policies({ slug }: { slug: string }) {
  const { t } = useI18n();
  const toast = useToast();
  const list = useLoad(
    () => api<{ policies: Policy[] }>('GET', tenantPath(slug, '/access/policies')),
    [slug],
  );
  const [role, setRole] = useState('agent');
  const [ranges, setRanges] = useState('');
  const [device, setDevice] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const roleLabel = (r: string) => (r === '*' ? t('access.allRoles') : t(`role.${r}`));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const ipAllow = ranges
      .split(/[\s,]+/)
      .map((x) => x.trim())
      .filter(Boolean);
    try {
      await api('PUT', tenantPath(slug, `/access/policies/${encodeURIComponent(role)}`), {
        ipAllow: ipAllow.length ? ipAllow : null,
        deviceApproval: device,
      });
      toast(t('access.saved'));
      list.reload();
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  return (
    <Card title={t('access.policies')}>
      {list.data && (
        <Table
          caption={t('access.policies')}
          rows={list.data.policies}
          rowKey={(r) => r.role}
          empty={<EmptyState title={t('access.noPolicies')} />}
          columns={[
            { key: 'role', header: t('admin.role'), render: (r) => roleLabel(r.role) },
            {
              key: 'ranges',
              header: t('access.ranges'),
              render: (r) => <code>{r.ipAllow?.join(' ') ?? t('access.anyNetwork')}</code>,
            },
            {
              key: 'device',
              header: t('access.deviceApproval'),
              render: (r) => (r.deviceApproval ? t('access.yes') : t('access.no')),
            },
          ]}
        />
      )}
      <form className="stack" onSubmit={save} noValidate>
        <Select
          label={t('admin.role')}
          value={role}
          onChange={(e) => setRole(e.target.value)}
          options={POLICY_ROLES.map((r) => ({ value: r, label: roleLabel(r) }))}
        />
        <Input
          label={t('access.ranges')}
          hint={t('access.rangesHint')}
          value={ranges}
          onChange={(e) => setRanges(e.target.value)}
        />
        <label className="check">
          <input type="checkbox" checked={device} onChange={(e) => setDevice(e.target.checked)} />
          {t('access.deviceApproval')}
        </label>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <Button type="submit" variant="primary">
          {t('access.save')}
        </Button>
      </form>
    </Card>
  );
}

function DefineTraining({ slug }: { slug: string }) {
  const { t } = useI18n();
  const toast = useToast();
  const [title, setTitle] = useState('');
  const [months, setMonths] = useState('12');
  const [kind, setKind] = useState<'training' | 'policy'>('training');
  const [error, setError] = useState<string | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', tenantPath(slug, '/trainings'), {
        title: title.trim(),
        validityMonths: Number(months),
        kind,
      });
      toast(t('access.trainingCreated'));
      setTitle('');
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  return (
    <Card title={t('access.defineTraining')}>
      <form className="stack" onSubmit={create} noValidate>
        <Input
          label={t('access.trainingTitle')}
          value={title}
          maxLength={200}
          required
          onChange={(e) => setTitle(e.target.value)}
        />
        <Select
          label={t('access.kind')}
          value={kind}
          onChange={(e) => setKind(e.target.value as 'training' | 'policy')}
          options={[
            { value: 'training', label: t('access.kindTraining') },
            { value: 'policy', label: t('access.kindPolicy') },
          ]}
        />
        <Input
          label={t('access.validityMonths')}
          type="number"
          min={1}
          max={120}
          value={months}
          onChange={(e) => setMonths(e.target.value)}
        />
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <Button type="submit" variant="primary" disabled={!title.trim()}>
          {t('access.create')}
        </Button>
      </form>
    </Card>
  );
}

interface ScimToken {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
interface ScimConfig {
  defaultRole: string | null;
  groupRoles: Array<{ group: string; role: string }>;
}

/** SCIM provisioning: the IdP's bearer token (shown once) and which IdP group grants which role. */
function Provisioning({ slug }: { slug: string }) {
  const { t, formatDateTime } = useI18n();
  const toast = useToast();
  const tokens = useLoad(() => api<{ tokens: ScimToken[] }>('GET', tenantPath(slug, '/scim/tokens')), [slug]);
  const config = useLoad(() => api<ScimConfig>('GET', tenantPath(slug, '/scim/config')), [slug]);
  const [name, setName] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const [mapping, setMapping] = useState<string | null>(null);
  const [defaultRole, setDefaultRole] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const mappingText =
    mapping ?? (config.data?.groupRoles ?? []).map((m) => `${m.group} = ${m.role}`).join('\n');
  const roleValue = defaultRole ?? config.data?.defaultRole ?? '';

  const create = async (e: FormEvent) => {
    e.preventDefault();
    try {
      setShown(
        (await api<{ token: string }>('POST', tenantPath(slug, '/scim/tokens'), { name: name.trim() })).token,
      );
      setName('');
      tokens.reload();
    } catch (err) {
      toast(errorText(t, err), 'danger');
    }
  };
  const revoke = async (id: string) => {
    try {
      await api('DELETE', tenantPath(slug, `/scim/tokens/${id}`));
      tokens.reload();
    } catch (err) {
      toast(errorText(t, err), 'danger');
    }
  };
  const saveMapping = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const groupRoles = mappingText
      .split('\n')
      .map((l) => l.split('='))
      .filter((p) => p.length === 2 && p[0]!.trim() && p[1]!.trim())
      .map(([group, role]) => ({ group: group!.trim(), role: role!.trim() }));
    try {
      await api('PUT', tenantPath(slug, '/scim/config'), { defaultRole: roleValue || null, groupRoles });
      toast(t('access.saved'));
      config.reload();
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  return (
    <Card title={t('access.provisioning')}>
      <p>{t('access.provisioningHelp')}</p>
      {shown && (
        <Alert tone="warning">
          {t('tokens.once')} <code>{shown}</code>
        </Alert>
      )}
      {tokens.data && (
        <Table
          caption={t('access.provisioning')}
          rows={tokens.data.tokens}
          rowKey={(r) => r.id}
          empty={<EmptyState title={t('tokens.none')} />}
          columns={[
            { key: 'name', header: t('tokens.name'), render: (r) => r.name },
            { key: 'used', header: t('access.lastUsed'), render: (r) => formatDateTime(r.lastUsedAt) },
            {
              key: 'actions',
              header: t('common.actions'),
              className: 'cell-actions',
              render: (r) =>
                r.revokedAt ? (
                  t('tokens.revokedLabel')
                ) : (
                  <Button size="sm" variant="danger" onClick={() => void revoke(r.id)}>
                    {t('sessions.revoke')}
                  </Button>
                ),
            },
          ]}
        />
      )}
      <form className="stack" onSubmit={create} noValidate>
        <Input
          label={t('tokens.name')}
          value={name}
          maxLength={120}
          onChange={(e) => setName(e.target.value)}
        />
        <Button type="submit" disabled={!name.trim()}>
          {t('tokens.createButton')}
        </Button>
      </form>
      <form className="stack" onSubmit={saveMapping} noValidate>
        <Select
          label={t('access.defaultRole')}
          value={roleValue}
          onChange={(e) => setDefaultRole(e.target.value)}
          options={[
            { value: '', label: t('access.noDefaultRole') },
            ...POLICY_ROLES.filter((r) => r !== '*').map((r) => ({ value: r, label: t(`role.${r}`) })),
          ]}
        />
        <TextArea
          label={t('access.groupRoles')}
          hint={t('access.groupRolesHint')}
          className="mono"
          rows={4}
          value={mappingText}
          onChange={(e) => setMapping(e.target.value)}
        />
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <Button type="submit" variant="primary">
          {t('access.saveMapping')}
        </Button>
      </form>
    </Card>
  );
}
