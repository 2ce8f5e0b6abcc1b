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

const POLICY_ROLES = ['*', 'agent', 'supervisor', 'tenant_admin', 'security_officer', 'dpo'];

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
