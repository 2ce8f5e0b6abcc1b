// DPIAs of a tenant: review tasks first (a linked control changed, or 12 months passed), the
// list with version and sign-off, the DPO's form for a new DPIA and the signature with opinion.
import { useState } from 'react';
import { api, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import {
  Alert,
  Badge,
  Button,
  Card,
  Dialog,
  EmptyState,
  ErrorState,
  Input,
  Spinner,
  Table,
  TextArea,
} from '../ui';
import { useAct } from './GovernanceAct';

interface Dpia {
  id: string;
  activityId: string;
  version: number;
  signedAt: string | null;
  reviewDue: boolean;
  reviewReason: string | null;
  reviewDueAt: string | null;
}
const CONTROLS = [
  'mfa_enforced',
  'rls',
  'subject_encryption',
  'retention_rules',
  'pii_policy',
  'monitoring_rules',
];
const RISKS = ['illegitimate_access', 'unwanted_change', 'disappearance'];
const LEVELS = ['likelihoodBefore', 'severityBefore', 'likelihoodAfter', 'severityAfter'] as const;

export function DpiaSection({ slug, canWrite }: { slug: string; canWrite: boolean }) {
  const { t, formatDateTime } = useI18n();
  const list = useLoad(
    () => api<{ items: Dpia[]; reviewTasks: Dpia[] }>('GET', tenantPath(slug, '/governance/dpias')),
    [slug],
  );
  const { act, busy } = useAct(list.reload);
  const [signing, setSigning] = useState<Dpia | null>(null);
  const [opinion, setOpinion] = useState('');
  const [creating, setCreating] = useState(false);
  if (list.loading && !list.data) return <Spinner />;
  if (list.error) return <ErrorState error={list.error} onRetry={list.reload} />;
  const sign = (d: Dpia) =>
    act(
      () => api('POST', tenantPath(slug, `/governance/dpias/${d.id}/sign`), { opinion }),
      t('governance.dpia.signed'),
    ).then((ok) => ok && setSigning(null));
  return (
    <Card
      title={t('governance.dpia.title')}
      actions={
        canWrite ? <Button onClick={() => setCreating(true)}>{t('governance.dpia.new')}</Button> : null
      }
    >
      {(list.data?.reviewTasks ?? []).map((r) => (
        <Alert key={r.id} tone="warning">
          {t('governance.dpia.reviewTask', {
            activity: r.activityId,
            reason: t(`governance.review.${(r.reviewReason ?? 'periodic').split(':')[0]}`),
          })}
        </Alert>
      ))}
      <Table
        caption={t('governance.dpia.title')}
        rows={list.data?.items ?? []}
        rowKey={(d) => d.id}
        empty={<EmptyState title={t('governance.dpia.empty')} />}
        columns={[
          {
            key: 'activity',
            header: t('governance.dpia.activity'),
            render: (d) => <code>{d.activityId}</code>,
          },
          { key: 'version', header: t('governance.dpia.version'), render: (d) => String(d.version) },
          { key: 'signed', header: t('governance.dpia.signedAt'), render: (d) => formatDateTime(d.signedAt) },
          {
            key: 'review',
            header: t('governance.dpia.review'),
            render: (d) =>
              d.reviewDue ? (
                <Badge tone="warning">{t('governance.dpia.reviewDue')}</Badge>
              ) : (
                formatDateTime(d.reviewDueAt)
              ),
          },
          {
            key: 'actions',
            header: t('governance.actions'),
            render: (d) => (
              <span className="row">
                <a
                  href={tenantPath(slug, `/governance/dpias/${d.id}?format=html`)}
                  target="_blank"
                  rel="noreferrer"
                >
                  HTML
                </a>
                {canWrite && !d.signedAt ? (
                  <Button size="sm" onClick={() => setSigning(d)}>
                    {t('governance.dpia.sign')}
                  </Button>
                ) : null}
              </span>
            ),
          },
        ]}
      />
      <Dialog
        open={!!signing}
        title={t('governance.dpia.sign')}
        onClose={() => setSigning(null)}
        footer={
          <Button
            variant="primary"
            busy={busy}
            disabled={opinion.trim().length < 10}
            onClick={() => signing && void sign(signing)}
          >
            {t('governance.dpia.sign')}
          </Button>
        }
      >
        <TextArea
          label={t('governance.dpia.opinion')}
          value={opinion}
          onChange={(e) => setOpinion(e.target.value)}
        />
      </Dialog>
      {creating ? <NewDpia slug={slug} onClose={() => setCreating(false)} onDone={list.reload} /> : null}
    </Card>
  );
}

function NewDpia({ slug, onClose, onDone }: { slug: string; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { act, busy } = useAct(onDone);
  const [activityId, setActivityId] = useState('');
  const [description, setDescription] = useState('');
  const [necessity, setNecessity] = useState('');
  const [controls, setControls] = useState<string[]>(CONTROLS);
  const [levels, setLevels] = useState<Record<string, Record<string, number>>>(
    Object.fromEntries(
      RISKS.map((r) => [r, { likelihoodBefore: 3, severityBefore: 3, likelihoodAfter: 1, severityAfter: 3 }]),
    ),
  );
  const submit = () =>
    act(
      () =>
        api('POST', tenantPath(slug, '/governance/dpias'), {
          activityId,
          content: {
            description,
            necessity,
            risks: RISKS.map((kind) => ({ kind, sources: '', ...levels[kind] })),
            measures: [],
            controls,
          },
        }),
      t('governance.dpia.created'),
    ).then((ok) => ok && onClose());
  return (
    <Dialog
      open
      title={t('governance.dpia.new')}
      onClose={onClose}
      footer={
        <Button
          variant="primary"
          busy={busy}
          disabled={!activityId || !description || !necessity}
          onClick={() => void submit()}
        >
          {t('governance.dpia.create')}
        </Button>
      }
    >
      <Input
        label={t('governance.dpia.activity')}
        hint={t('governance.dpia.activityHint')}
        value={activityId}
        onChange={(e) => setActivityId(e.target.value)}
      />
      <TextArea
        label={t('governance.dpia.description')}
        value={description}
        onChange={(e) => setDescription(e.target.value)}
      />
      <TextArea
        label={t('governance.dpia.necessity')}
        value={necessity}
        onChange={(e) => setNecessity(e.target.value)}
      />
      {RISKS.map((r) => (
        <fieldset key={r}>
          <legend>{t(`governance.risk.${r}`)}</legend>
          {LEVELS.map((l) => (
            <Input
              key={l}
              type="number"
              min={1}
              max={4}
              label={t(`governance.risk.${l}`)}
              value={levels[r]![l]}
              onChange={(e) => setLevels({ ...levels, [r]: { ...levels[r]!, [l]: Number(e.target.value) } })}
            />
          ))}
        </fieldset>
      ))}
      <fieldset>
        <legend>{t('governance.dpia.controls')}</legend>
        {CONTROLS.map((c) => (
          <label key={c} className="row">
            <input
              type="checkbox"
              checked={controls.includes(c)}
              onChange={(e) =>
                setControls(e.target.checked ? [...controls, c] : controls.filter((x) => x !== c))
              }
            />
            {t(`governance.control.${c}`)}
          </label>
        ))}
      </fieldset>
    </Dialog>
  );
}
