// The reviewer's quality queue: sampled conversations, each opened pseudonymised (customer and
// agent hidden), scored against the tenant's scorecard; the real conversation only with a reason.
import { useState } from 'react';
import { api, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { Badge, Button, Card, Dialog, EmptyState, ErrorState, errorText, Input, PageHeader, Select, Spinner, Table, TextArea, useToast } from '../ui';

interface Review {
  id: string;
  scorecardId: string;
  status: 'assigned' | 'scored' | 'disputed' | 'resolved';
  total: number | null;
  autoFailed: boolean;
  createdAt: string;
}
interface Criterion {
  key: string;
  label: string;
  weight: number;
  autoFail: boolean;
}
interface Scorecard {
  id: string;
  name: string;
  criteria: Criterion[];
}
interface PseudoView {
  customer: string;
  agent: string | null;
  blind: boolean;
  messages: Array<{ id: string; direction: string; author: string | null; text: string | null }>;
}

export function QualityReviewsPage({ slug }: { slug: string }) {
  const { t, formatDateTime } = useI18n();
  const list = useLoad(() => api<{ items: Review[] }>('GET', tenantPath(slug, '/quality/reviews')), [slug]);
  const cards = useLoad(() => api<{ items: Scorecard[] }>('GET', tenantPath(slug, '/quality/scorecards')), [slug]);
  const [open, setOpen] = useState<Review | null>(null);
  const card = cards.data?.items.find((c) => c.id === open?.scorecardId) ?? null;
  return (
    <>
      <PageHeader title={t('quality.title')} subtitle={t('quality.subtitle')} />
      {cards.data && cards.data.items.length > 0 && <SampleForm slug={slug} cards={cards.data.items} onDone={list.reload} />}
      <Card>
        {list.loading && !list.data ? (
          <Spinner />
        ) : list.error ? (
          <ErrorState error={list.error} onRetry={list.reload} />
        ) : (
          <Table
            caption={t('quality.title')}
            rows={list.data?.items ?? []}
            rowKey={(r) => r.id}
            empty={<EmptyState title={t('quality.empty')}>{t('quality.emptyBody')}</EmptyState>}
            columns={[
              { key: 'status', header: t('quality.status'), render: (r) => <Badge>{t(`quality.status.${r.status}`)}</Badge> },
              {
                key: 'total',
                header: t('quality.total'),
                render: (r) => (r.total === null ? '—' : `${r.total}${r.autoFailed ? ` · ${t('quality.autoFail')}` : ''}`),
              },
              { key: 'at', header: t('quality.sampled'), render: (r) => formatDateTime(r.createdAt) },
              {
                key: 'open',
                header: t('quality.actions'),
                render: (r) => (
                  <Button size="sm" onClick={() => setOpen(r)}>
                    {t('quality.open')}
                  </Button>
                ),
              },
            ]}
          />
        )}
      </Card>
      {open && card && <ReviewPanel slug={slug} review={open} card={card} onDone={list.reload} />}
    </>
  );
}

function ReviewPanel({ slug, review, card, onDone }: { slug: string; review: Review; card: Scorecard; onDone(): void }) {
  const { t } = useI18n();
  const toast = useToast();
  const view = useLoad(() => api<PseudoView>('GET', tenantPath(slug, `/quality/reviews/${review.id}/conversation`)), [slug, review.id]);
  const [scores, setScores] = useState<Record<string, number>>({});
  const [comment, setComment] = useState('');
  const [revealOpen, setRevealOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await fn();
      toast(done);
      setRevealOpen(false);
      onDone();
    } catch (e) {
      toast(errorText(t, e), 'danger');
    } finally {
      setBusy(false);
    }
  };
  const path = (s: string) => tenantPath(slug, `/quality/reviews/${review.id}/${s}`);
  return (
    <Card title={t('quality.conversation')} actions={<Button size="sm" variant="ghost" onClick={() => setRevealOpen(true)}>{t('quality.reveal')}</Button>}>
      {view.loading && !view.data ? (
        <Spinner />
      ) : view.error ? (
        <ErrorState error={view.error} onRetry={view.reload} />
      ) : view.data ? (
        <>
          <p>
            {t('quality.customer')}: <code>{view.data.customer}</code> · {t('quality.agent')}:{' '}
            {view.data.agent ?? t('quality.agentHidden')}
          </p>
          <ul className="stack" data-testid="quality-messages">
            {view.data.messages.map((m) => (
              <li key={m.id}>
                <Badge>{m.direction === 'inbound' ? t('quality.fromCustomer') : (m.author ?? t('quality.agent'))}</Badge> {m.text ?? '—'}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <form className="stack" onSubmit={(e) => e.preventDefault()}>
        {card.criteria.map((c) => (
          <Input
            key={c.key}
            type="number"
            min={0}
            max={100}
            step={c.autoFail ? 100 : 1}
            label={c.autoFail ? `${c.label} (${t('quality.autoFail')})` : `${c.label} (×${c.weight})`}
            value={scores[c.key] ?? ''}
            onChange={(e) => setScores({ ...scores, [c.key]: Number(e.target.value) })}
          />
        ))}
        <TextArea label={t('quality.comment')} value={comment} onChange={(e) => setComment(e.target.value)} />
        <Button
          variant="primary"
          busy={busy}
          onClick={() => void run(() => api('PUT', path('score'), { scores, ...(comment ? { comment } : {}) }), t('quality.saved'))}
        >
          {t('quality.save')}
        </Button>
      </form>
      <Dialog
        open={revealOpen}
        title={t('quality.revealTitle')}
        onClose={() => setRevealOpen(false)}
        footer={
          <Button variant="primary" busy={busy} disabled={reason.trim().length < 10} onClick={() => void run(() => api('POST', path('reveal'), { reason }), t('quality.revealed'))}>
            {t('quality.reveal')}
          </Button>
        }
      >
        <p>{t('quality.revealExplain')}</p>
        <TextArea label={t('inbox.revealReason')} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Dialog>
    </Card>
  );
}

/** Draws conversations into the reviewer's queue: at random, or those the customer rated low. */
function SampleForm({ slug, cards, onDone }: { slug: string; cards: Scorecard[]; onDone(): void }) {
  const { t } = useI18n();
  const toast = useToast();
  const [scorecardId, setScorecardId] = useState(cards[0]!.id);
  const [size, setSize] = useState(5);
  const [source, setSource] = useState<'random' | 'low'>('random');
  const [busy, setBusy] = useState(false);
  const sample = async () => {
    setBusy(true);
    try {
      const body = { scorecardId, size, ...(source === 'low' ? { maxSatisfaction: 2 } : {}) };
      const r = await api<{ reviews: string[] }>('POST', tenantPath(slug, '/quality/samples'), body);
      toast(t('quality.sampledCount', { count: r.reviews.length }));
      onDone();
    } catch (e) {
      toast(errorText(t, e), 'danger');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('quality.sample')}>
      <div className="row">
        <Select label={t('quality.scorecard')} value={scorecardId} onChange={(e) => setScorecardId(e.target.value)} options={cards.map((c) => ({ value: c.id, label: c.name }))} />
        <Input label={t('quality.sampleSize')} type="number" min={1} max={100} value={size} onChange={(e) => setSize(Math.max(1, Math.min(100, Number(e.target.value) || 1)))} />
        <Select
          label={t('quality.sampleSource')}
          value={source}
          onChange={(e) => setSource(e.target.value === 'low' ? 'low' : 'random')}
          options={[
            { value: 'random', label: t('quality.sampleRandom') },
            { value: 'low', label: t('quality.sampleLowSatisfaction') },
          ]}
        />
        <Button variant="primary" busy={busy} onClick={() => void sample()}>
          {t('quality.sampleRun')}
        </Button>
      </div>
    </Card>
  );
}
