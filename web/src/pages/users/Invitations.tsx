// Tenant admins invite new people by e-mail and follow the invitations: a role that reads
// personal data waits for a second admin's approval before the mail goes out; open ones can be
// revoked. The list shows names and roles, never the addresses.
import { type FormEvent, useState } from 'react';
import { api, tenantPath } from '../../api';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { useSession } from '../../session';
import { type Role, TENANT_ROLES } from '../../types';
import { Badge, Button, Card, Dialog, EmptyState, ErrorState, errorText, Input, Select, Spinner, Table, useToast } from '../../ui';

interface InvitationView {
  id: string;
  displayName: string;
  role: Role;
  status: 'awaiting_approval' | 'sent' | 'accepted' | 'revoked' | 'expired';
  invitedBy: string | null;
  expiresAt: string;
  createdAt: string;
}

const TONE = { awaiting_approval: 'warning', sent: 'info', accepted: 'success', revoked: 'neutral', expired: 'neutral' } as const;

export function InvitationsCard({ slug }: { slug: string }) {
  const { t, formatDateTime } = useI18n();
  const me = useSession().state;
  const myId = me.status === 'signedIn' ? me.user.id : null;
  const toast = useToast();
  const list = useLoad(() => api<{ invitations: InvitationView[] }>('GET', tenantPath(slug, '/invitations')), [slug]);
  const [open, setOpen] = useState(false);
  const act = async (id: string, verb: 'approve' | 'revoke') => {
    try {
      await api('POST', tenantPath(slug, `/invitations/${id}/${verb}`));
      toast(verb === 'approve' ? t('invite.approvedToast') : t('invite.revokedToast'));
      list.reload();
    } catch (e) {
      toast(errorText(t, e), 'danger');
    }
  };
  return (
    <Card title={t('invite.title')} actions={<Button variant="primary" onClick={() => setOpen(true)}>{t('invite.invite')}</Button>}>
      {list.error ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : !list.data ? (
        <Spinner />
      ) : (
        <Table
          caption={t('invite.title')}
          rows={list.data.invitations}
          rowKey={(i) => i.id}
          empty={<EmptyState title={t('invite.none')} />}
          columns={[
            { key: 'name', header: t('users.name'), render: (i) => i.displayName },
            { key: 'role', header: t('users.roles'), render: (i) => t(`role.${i.role}`) },
            { key: 'status', header: t('common.status'), render: (i) => <Badge tone={TONE[i.status]}>{t(`invite.status.${i.status}`)}</Badge> },
            { key: 'expires', header: t('invite.expires'), render: (i) => formatDateTime(i.expiresAt) },
            {
              key: 'act',
              header: t('common.actions'),
              render: (i) => (
                <span className="row">
                  {i.status === 'awaiting_approval' && i.invitedBy !== myId && (
                    <Button size="sm" onClick={() => void act(i.id, 'approve')} aria-label={t('invite.approveFor', { name: i.displayName })}>
                      {t('invite.approve')}
                    </Button>
                  )}
                  {(i.status === 'sent' || i.status === 'awaiting_approval') && (
                    <Button size="sm" variant="danger" onClick={() => void act(i.id, 'revoke')} aria-label={t('invite.revokeFor', { name: i.displayName })}>
                      {t('invite.revoke')}
                    </Button>
                  )}
                </span>
              ),
            },
          ]}
        />
      )}
      <InviteDialog slug={slug} open={open} onClose={() => setOpen(false)} onDone={list.reload} />
    </Card>
  );
}

function InviteDialog(props: { slug: string; open: boolean; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const toast = useToast();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [locale, setLocale] = useState('en');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<{ status: string }>('POST', tenantPath(props.slug, '/invitations'), {
        email: email.trim(),
        displayName: name.trim(),
        role,
        locale,
      });
      toast(r.status === 'sent' ? t('invite.sentToast') : t('invite.awaitingToast'));
      setEmail('');
      setName('');
      props.onDone();
      props.onClose();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={props.open}
      onClose={props.onClose}
      title={t('invite.dialogTitle')}
      footer={
        <>
          <Button onClick={props.onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" type="submit" form="invite-form" busy={busy} disabled={!email || !name}>
            {t('invite.send')}
          </Button>
        </>
      }
    >
      <form id="invite-form" className="stack" onSubmit={submit} noValidate>
        <p>{t('invite.explain')}</p>
        <Input label={t('invite.email')} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <Input label={t('invite.name')} required value={name} onChange={(e) => setName(e.target.value)} />
        <Select
          label={t('invite.role')}
          value={role}
          onChange={(e) => setRole(e.target.value as Role)}
          options={TENANT_ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))}
        />
        <Select
          label={t('invite.language')}
          value={locale}
          onChange={(e) => setLocale(e.target.value)}
          options={[
            { value: 'en', label: 'English' },
            { value: 'de', label: 'Deutsch' },
            { value: 'fr', label: 'Français' },
          ]}
        />
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Dialog>
  );
}
