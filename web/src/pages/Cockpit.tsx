// Vigil Cockpit: agents pair the browser extension here (a one-time code from this signed-in
// session); tenant admins keep the catalogue of client tools; security officers see who has the
// Cockpit active, on which tools, and the last activity. Cockpit events are in Audit and Alerts.
import { type FormEvent, useState } from 'react';
import { api, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { useSession } from '../session';
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

interface Tool {
  id: string;
  name: string;
  origins: string[];
  forbiddenPaths: string[];
  allowedPaths: string[];
  downloadPolicy: 'block' | 'allow' | 'record';
  enabled: boolean;
}
interface AgentRow {
  userId: string;
  cockpitActive: boolean;
  lastSeenAt: string | null;
  tools: Array<{ toolId: string; visits: number; blocked: number; downloads: number; lastAt: string }>;
}
interface Overview {
  requireActive: boolean;
  tools: Array<{ id: string; name: string }>;
  items: AgentRow[];
}

const lines = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

function Pairing() {
  const { t } = useI18n();
  const [code, setCode] = useState<{ code: string; expiresAt: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = async () => {
    setError(null);
    try {
      setCode(await api<{ code: string; expiresAt: string }>('POST', '/api/v1/cockpit/pairing-codes', {}));
    } catch (e) {
      setError(errorText(t, e));
    }
  };
  return (
    <Card title={t('cockpit.pairTitle')}>
      <p>{t('cockpit.pairBody')}</p>
      {error && <Alert>{error}</Alert>}
      {code ? (
        <Input
          label={t('cockpit.pairCode')}
          readOnly
          value={code.code}
          className="mono"
          hint={t('cockpit.pairExpires')}
        />
      ) : (
        <Button variant="primary" onClick={() => void create()}>
          {t('cockpit.pairButton')}
        </Button>
      )}
    </Card>
  );
}

function Catalogue({ slug }: { slug: string }) {
  const { t } = useI18n();
  const toast = useToast();
  const tools = useLoad(() => api<{ items: Tool[] }>('GET', tenantPath(slug, '/cockpit/tools')), [slug]);
  const [name, setName] = useState('');
  const [origin, setOrigin] = useState('');
  const [forbidden, setForbidden] = useState('');
  const [policy, setPolicy] = useState<Tool['downloadPolicy']>('record');
  const [error, setError] = useState<string | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', tenantPath(slug, '/cockpit/tools'), {
        name: name.trim(),
        origins: [origin.trim()],
        forbiddenPaths: lines(forbidden),
        downloadPolicy: policy,
      });
      setName('');
      setOrigin('');
      setForbidden('');
      toast(t('cockpit.toolCreated'));
      tools.reload();
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  const remove = async (id: string) => {
    try {
      await api('DELETE', tenantPath(slug, `/cockpit/tools/${id}`));
      tools.reload();
    } catch (err) {
      toast(errorText(t, err), 'danger');
    }
  };
  return (
    <Card title={t('cockpit.catalogue')}>
      {tools.error ? <ErrorState error={tools.error} onRetry={tools.reload} /> : null}
      {tools.loading && !tools.data ? <Spinner /> : null}
      {tools.data && (
        <Table
          caption={t('cockpit.catalogue')}
          rows={tools.data.items}
          rowKey={(r) => r.id}
          empty={<EmptyState title={t('cockpit.noTools')} />}
          columns={[
            { key: 'name', header: t('cockpit.toolName'), render: (r) => r.name },
            {
              key: 'origins',
              header: t('cockpit.origin'),
              render: (r) => <span className="mono">{r.origins.join(' ')}</span>,
            },
            {
              key: 'forbidden',
              header: t('cockpit.forbiddenPaths'),
              render: (r) => <span className="mono">{r.forbiddenPaths.join(' ')}</span>,
            },
            {
              key: 'dl',
              header: t('cockpit.downloads'),
              render: (r) => t(`cockpit.policy.${r.downloadPolicy}`),
            },
            {
              key: 'act',
              header: t('common.actions'),
              render: (r) => (
                <Button variant="ghost" onClick={() => void remove(r.id)}>
                  {t('cockpit.removeTool')}
                </Button>
              ),
            },
          ]}
        />
      )}
      <form onSubmit={(e) => void create(e)} className="stack">
        {error && <Alert>{error}</Alert>}
        <Input
          label={t('cockpit.toolName')}
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={100}
        />
        <Input
          label={t('cockpit.origin')}
          value={origin}
          onChange={(e) => setOrigin(e.target.value)}
          required
          placeholder="https://crm.client.example"
        />
        <Input
          label={t('cockpit.forbiddenPaths')}
          value={forbidden}
          onChange={(e) => setForbidden(e.target.value)}
          hint={t('cockpit.forbiddenHint')}
        />
        <Select
          label={t('cockpit.downloads')}
          value={policy}
          onChange={(e) => setPolicy(e.target.value as Tool['downloadPolicy'])}
          options={(['block', 'record', 'allow'] as const).map((p) => ({
            value: p,
            label: t(`cockpit.policy.${p}`),
          }))}
        />
        <Button type="submit" variant="primary">
          {t('cockpit.addTool')}
        </Button>
      </form>
    </Card>
  );
}

function Officer({ slug }: { slug: string }) {
  const { t } = useI18n();
  const o = useLoad(() => api<Overview>('GET', tenantPath(slug, '/cockpit/agents')), [slug]);
  if (o.error) return <ErrorState error={o.error} onRetry={o.reload} />;
  if (!o.data) return <Spinner />;
  const toolName = (id: string) => o.data?.tools.find((x) => x.id === id)?.name ?? id;
  return (
    <Card
      title={t('cockpit.agents')}
      actions={o.data.requireActive ? <Badge tone="info">{t('cockpit.required')}</Badge> : undefined}
    >
      <Table
        caption={t('cockpit.agents')}
        rows={o.data.items}
        rowKey={(r) => r.userId}
        empty={<EmptyState title={t('cockpit.noAgents')} />}
        columns={[
          {
            key: 'user',
            header: t('cockpit.agent'),
            render: (r) => <span className="mono">{r.userId.slice(0, 8)}</span>,
          },
          {
            key: 'active',
            header: t('common.status'),
            render: (r) => (
              <Badge tone={r.cockpitActive ? 'success' : 'neutral'}>
                {t(r.cockpitActive ? 'cockpit.active' : 'cockpit.inactive')}
              </Badge>
            ),
          },
          {
            key: 'seen',
            header: t('cockpit.lastSeen'),
            render: (r) => (r.lastSeenAt ? new Date(r.lastSeenAt).toLocaleString() : '—'),
          },
          {
            key: 'tools',
            header: t('cockpit.tools'),
            render: (r) =>
              r.tools
                .map(
                  (x) =>
                    `${toolName(x.toolId)}: ${t('cockpit.counts', { visits: x.visits, blocked: x.blocked, downloads: x.downloads })}`,
                )
                .join('; ') || '—',
          },
        ]}
      />
    </Card>
  );
}

export function CockpitPage({ slug }: { slug: string }) {
  const { t } = useI18n();
  const roles = useSession().rolesIn(slug);
  const has = (...r: string[]) => r.some((x) => (roles as string[]).includes(x));
  return (
    <>
      <PageHeader title={t('cockpit.title')} subtitle={t('cockpit.subtitle')} />
      {has('agent', 'supervisor') && <Pairing />}
      {has('tenant_admin') && <Catalogue slug={slug} />}
      {has('security_officer') && <Officer slug={slug} />}
    </>
  );
}
