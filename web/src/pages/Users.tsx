// Users of a tenant: status, roles, sessions. Security officers suspend/unsuspend (with a reason)
// and revoke sessions; tenant admins grant and revoke roles.
import { type FormEvent, useState } from 'react';
import { api, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { type Role, type SessionView, TENANT_ROLES } from '../types';
import {
  Badge,
  Button,
  Card,
  Dialog,
  EmptyState,
  ErrorState,
  errorText,
  PageHeader,
  Select,
  Spinner,
  Table,
  TextArea,
  useToast,
} from '../ui';
import { sessionStatus } from './Account';
import { InvitationsCard } from './users/Invitations';

export interface TenantUser {
  id: string;
  displayName: string;
  status: string;
  roles: Role[];
  lastLoginAt: string | null;
  activeSessions: number;
}

export function UsersPage({ slug }: { slug: string }) {
  const { t, formatDateTime } = useI18n();
  const s = useSession();
  const roles = s.rolesIn(slug);
  const canSuspend = roles.includes('security_officer');
  const canRevoke = roles.includes('security_officer');
  const canManageRoles = roles.includes('tenant_admin');
  const list = useLoad(() => api<{ users: TenantUser[] }>('GET', tenantPath(slug, '/users')), [slug]);
  const [suspendFor, setSuspendFor] = useState<TenantUser | null>(null);
  const [sessionsFor, setSessionsFor] = useState<TenantUser | null>(null);
  const [rolesFor, setRolesFor] = useState<TenantUser | null>(null);

  const users = list.data?.users ?? [];
  return (
    <>
      <PageHeader title={t('users.title')} subtitle={t('users.subtitle')} />
      <Card>
        {list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} />
        ) : !list.data ? (
          <Spinner />
        ) : (
          <Table
            caption={t('users.title')}
            rows={users}
            rowKey={(u) => u.id}
            empty={<EmptyState title={t('users.empty')} />}
            columns={[
              { key: 'name', header: t('users.name'), render: (u) => <strong>{u.displayName}</strong> },
              {
                key: 'roles',
                header: t('users.roles'),
                render: (u) => (
                  <div className="badges">
                    {u.roles.map((r) => (
                      <Badge key={r}>{t(`role.${r}`)}</Badge>
                    ))}
                  </div>
                ),
              },
              {
                key: 'status',
                header: t('common.status'),
                render: (u) =>
                  u.status === 'suspended' ? (
                    <Badge tone="danger">{t('users.status.suspended')}</Badge>
                  ) : (
                    <Badge tone="success">{t('users.status.active')}</Badge>
                  ),
              },
              { key: 'login', header: t('users.lastLogin'), render: (u) => formatDateTime(u.lastLoginAt) },
              {
                key: 'sessions',
                header: t('users.activeSessions'),
                className: 'cell-num',
                render: (u) => u.activeSessions,
              },
              {
                key: 'actions',
                header: t('common.actions'),
                className: 'cell-actions',
                render: (u) => (
                  <div className="row-actions">
                    <Button
                      size="sm"
                      onClick={() => setSessionsFor(u)}
                      aria-label={t('users.sessionsOf', { name: u.displayName })}
                    >
                      {t('users.sessions')}
                    </Button>
                    {canManageRoles && (
                      <Button
                        size="sm"
                        onClick={() => setRolesFor(u)}
                        aria-label={t('users.rolesOf', { name: u.displayName })}
                      >
                        {t('users.editRoles')}
                      </Button>
                    )}
                    {canSuspend && u.id !== s.user?.id && (
                      <Button
                        size="sm"
                        variant={u.status === 'suspended' ? 'secondary' : 'danger'}
                        onClick={() => setSuspendFor(u)}
                        aria-label={
                          u.status === 'suspended'
                            ? t('users.unsuspendName', { name: u.displayName })
                            : t('users.suspendName', { name: u.displayName })
                        }
                      >
                        {u.status === 'suspended' ? t('users.unsuspend') : t('users.suspend')}
                      </Button>
                    )}
                  </div>
                ),
              },
            ]}
          />
        )}
      </Card>
      {canManageRoles && <InvitationsCard slug={slug} />}
      <SuspendDialog slug={slug} user={suspendFor} onClose={() => setSuspendFor(null)} onDone={list.reload} />
      <UserSessionsDialog
        slug={slug}
        user={sessionsFor}
        canRevoke={canRevoke}
        onClose={() => setSessionsFor(null)}
        onChange={list.reload}
      />
      <RolesDialog slug={slug} user={rolesFor} onClose={() => setRolesFor(null)} onChange={list.reload} />
    </>
  );
}

export function SuspendDialog({
  slug,
  user,
  onClose,
  onDone,
}: {
  slug: string;
  user: TenantUser | null;
  onClose(): void;
  onDone(): void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const suspend = user?.status !== 'suspended';
  const close = () => {
    setReason('');
    setError(null);
    onClose();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!user) return;
    if (reason.trim().length < 3) return setError(t('users.reasonTooShort'));
    setBusy(true);
    try {
      await api('POST', tenantPath(slug, `/users/${user.id}/${suspend ? 'suspend' : 'unsuspend'}`), {
        reason: reason.trim(),
      });
      toast(
        suspend
          ? t('users.suspended', { name: user.displayName })
          : t('users.unsuspended', { name: user.displayName }),
      );
      close();
      onDone();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={user !== null}
      title={
        suspend
          ? t('users.suspendTitle', { name: user?.displayName ?? '' })
          : t('users.unsuspendTitle', { name: user?.displayName ?? '' })
      }
      onClose={close}
    >
      <form onSubmit={submit} className="stack" noValidate>
        <p>{suspend ? t('users.suspendExplain') : t('users.unsuspendExplain')}</p>
        <TextArea
          label={t('users.reason')}
          hint={t('users.reasonHint')}
          error={error}
          value={reason}
          maxLength={500}
          required
          data-autofocus
          onChange={(e) => setReason(e.target.value)}
        />
        <div className="dialog-footer">
          <Button variant="ghost" onClick={close}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" variant={suspend ? 'danger' : 'primary'} busy={busy}>
            {suspend ? t('users.suspend') : t('users.unsuspend')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function UserSessionsDialog({
  slug,
  user,
  canRevoke,
  onClose,
  onChange,
}: {
  slug: string;
  user: TenantUser | null;
  canRevoke: boolean;
  onClose(): void;
  onChange(): void;
}) {
  const { t, formatDateTime } = useI18n();
  const toast = useToast();
  const [busyId, setBusyId] = useState<string | null>(null);
  const list = useLoad(
    () =>
      user
        ? api<{ sessions: SessionView[] }>('GET', tenantPath(slug, `/users/${user.id}/sessions`))
        : Promise.resolve({ sessions: [] }),
    [slug, user?.id],
  );
  const revoke = async (id: string) => {
    setBusyId(id);
    try {
      await api('DELETE', tenantPath(slug, `/sessions/${id}`));
      toast(t('sessions.revokedToast'));
      list.reload();
      onChange();
    } catch (e) {
      toast(errorText(t, e), 'danger');
    } finally {
      setBusyId(null);
    }
  };
  const sessions = list.data?.sessions ?? [];
  return (
    <Dialog
      open={user !== null}
      title={t('users.sessionsOf', { name: user?.displayName ?? '' })}
      onClose={onClose}
      footer={<Button onClick={onClose}>{t('common.close')}</Button>}
    >
      {list.error ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : list.loading && !list.data ? (
        <Spinner />
      ) : (
        <Table
          caption={t('sessions.title')}
          rows={sessions}
          rowKey={(r) => r.id}
          empty={<EmptyState title={t('sessions.empty')} />}
          columns={[
            { key: 'created', header: t('sessions.created'), render: (r) => formatDateTime(r.createdAt) },
            { key: 'seen', header: t('sessions.lastSeen'), render: (r) => formatDateTime(r.lastSeenAt) },
            {
              key: 'status',
              header: t('common.status'),
              render: (r) => sessionStatus(t, { ...r, current: false }),
            },
            {
              key: 'actions',
              header: t('common.actions'),
              className: 'cell-actions',
              render: (r) =>
                canRevoke && !r.revokedAt ? (
                  <Button size="sm" variant="danger" busy={busyId === r.id} onClick={() => void revoke(r.id)}>
                    {t('sessions.revoke')}
                  </Button>
                ) : null,
            },
          ]}
        />
      )}
    </Dialog>
  );
}

function RolesDialog({
  slug,
  user,
  onClose,
  onChange,
}: {
  slug: string;
  user: TenantUser | null;
  onClose(): void;
  onChange(): void;
}) {
  const { t } = useI18n();
  const toast = useToast();
  const [current, setCurrent] = useState<Role[] | null>(null);
  const [add, setAdd] = useState<string>('');
  const [busy, setBusy] = useState(false);
  /** The role whose removal waits for a second click (removing is never one click). */
  const [confirm, setConfirm] = useState<Role | null>(null);
  /** A grant, too, is confirmed: the dialog names the role and what follows from it. */
  const [confirmGrant, setConfirmGrant] = useState(false);
  const roles = current ?? user?.roles ?? [];
  const addable = TENANT_ROLES.filter((r) => !roles.includes(r));
  const act = async (method: 'POST' | 'DELETE', role: Role) => {
    if (!user) return;
    setBusy(true);
    setConfirm(null);
    setConfirmGrant(false);
    try {
      // A role that reads personal data waits for a second tenant admin (four eyes).
      const pending =
        method === 'POST' &&
        (await api<{ status?: string }>('POST', tenantPath(slug, `/users/${user.id}/roles`), { role }))
          .status === 'pending';
      if (method === 'DELETE') await api('DELETE', tenantPath(slug, `/users/${user.id}/roles/${role}`));
      if (!pending) setCurrent(method === 'POST' ? [...roles, role] : roles.filter((r) => r !== role));
      setAdd('');
      toast(pending ? t('roles.pending') : method === 'POST' ? t('roles.granted') : t('roles.revoked'));
      onChange();
    } catch (e) {
      toast(errorText(t, e), 'danger');
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setCurrent(null);
    setConfirm(null);
    setConfirmGrant(false);
    onClose();
  };
  return (
    <Dialog
      open={user !== null}
      title={t('users.rolesOf', { name: user?.displayName ?? '' })}
      onClose={close}
      footer={<Button onClick={close}>{t('common.close')}</Button>}
    >
      <ul className="role-list">
        {roles.map((r) => (
          <li key={r}>
            <span>{t(`role.${r}`)}</span>
            {confirm === r ? (
              <span className="row" role="group" aria-label={t('roles.confirmRemove', { role: t(`role.${r}`) })}>
                <span>{t('roles.confirmRemove', { role: t(`role.${r}`) })}</span>
                <Button size="sm" variant="ghost" onClick={() => setConfirm(null)}>
                  {t('common.cancel')}
                </Button>
                <Button size="sm" variant="danger" busy={busy} onClick={() => void act('DELETE', r)}>
                  {t('roles.confirmRemoveButton')}
                </Button>
              </span>
            ) : (
              <Button size="sm" variant="danger" busy={busy} onClick={() => setConfirm(r)}>
                {t('roles.remove')}
              </Button>
            )}
          </li>
        ))}
      </ul>
      {addable.length > 0 && !confirmGrant && (
        <div className="row align-end">
          <Select
            label={t('roles.add')}
            value={add}
            onChange={(e) => setAdd(e.target.value)}
            options={[
              { value: '', label: t('roles.choose') },
              ...addable.map((r) => ({ value: r, label: t(`role.${r}`) })),
            ]}
          />
          <Button variant="primary" busy={busy} disabled={!add} onClick={() => setConfirmGrant(true)}>
            {t('roles.grant')}
          </Button>
        </div>
      )}
      {confirmGrant && add && (
        <div className="row" role="group" aria-label={t('roles.confirmGrant', { role: t(`role.${add}`) })}>
          <span>{t('roles.confirmGrant', { role: t(`role.${add}`) })}</span>
          <Button size="sm" variant="ghost" onClick={() => setConfirmGrant(false)}>
            {t('common.cancel')}
          </Button>
          <Button size="sm" variant="primary" busy={busy} onClick={() => void act('POST', add as Role)}>
            {t('roles.confirmGrantButton')}
          </Button>
        </div>
      )}
    </Dialog>
  );
}
