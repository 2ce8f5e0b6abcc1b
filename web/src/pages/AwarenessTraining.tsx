// The agent's awareness page: report a suspicious mail, assigned refreshers, training modules with
// their sections and quiz. A passed quiz records the training the tenant requires, so the page
// stays reachable while the training gate refuses everything else.
import { type ReactNode, useState } from 'react';
import { api, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { Alert, Badge, Button, Card, EmptyState, ErrorState, errorText, PageHeader, Spinner, TextArea, useToast } from '../ui';

interface Module {
  id: string;
  title: string;
  language: string;
  version: number;
  refresher: boolean;
  passPercent: number;
  maxAttempts: number;
  attemptsUsed: number;
  passed: boolean;
  sections: Array<{ heading: string; markdown: string }>;
  quiz: Array<{ question: string; options: string[]; multiple: boolean }>;
}
interface Mine {
  modules: Module[];
  assignments: Array<{ id: string; moduleId: string; dueAt: string; completedAt: string | null }>;
}
interface Outcome {
  score: number;
  passed: boolean;
  passPercent: number;
  attemptsLeft: number;
}

/** Inline **bold** and *italic*, as React nodes (markdown is never injected as HTML). */
function inline(text: string): ReactNode[] {
  return text.split(/(\*\*[^*]+\*\*|\*[^*]+\*)/g).map((part, i) =>
    part.startsWith('**') ? <strong key={i}>{part.slice(2, -2)}</strong> : part.startsWith('*') && part.length > 2 ? <em key={i}>{part.slice(1, -1)}</em> : part,
  );
}

/** Paragraphs and "- " lists: the subset of markdown modules use. */
export function Markdown({ source }: { source: string }) {
  const blocks = source.split(/\n{2,}/);
  return (
    <>
      {blocks.map((b, i) => {
        const lines = b.split('\n');
        if (lines.every((l) => l.startsWith('- ')))
          return <ul key={i}>{lines.map((l, j) => <li key={j}>{inline(l.slice(2))}</li>)}</ul>;
        return <p key={i}>{inline(b)}</p>;
      })}
    </>
  );
}

function ReportPhishing({ slug }: { slug: string }) {
  const { t } = useI18n();
  const toast = useToast();
  const [source, setSource] = useState('');
  const [busy, setBusy] = useState(false);
  const send = async () => {
    setBusy(true);
    try {
      const r = await api<{ verdict: string }>('POST', tenantPath(slug, '/awareness/reports'), { source });
      toast(r.verdict === 'simulation' ? t('awareness.reportedSimulation') : t('awareness.reportedReal'));
      setSource('');
    } catch (e) {
      toast(errorText(t, e), 'danger');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('awareness.reportTitle')}>
      <p>{t('awareness.reportExplain')}</p>
      <TextArea label={t('awareness.reportSource')} value={source} rows={6} onChange={(e) => setSource(e.target.value)} />
      <Button variant="danger" busy={busy} disabled={!source.trim()} onClick={() => void send()}>
        {t('awareness.reportButton')}
      </Button>
    </Card>
  );
}

function Quiz({ slug, m, onDone }: { slug: string; m: Module; onDone: () => void }) {
  const { t } = useI18n();
  const [answers, setAnswers] = useState<number[][]>(m.quiz.map(() => []));
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const toggle = (q: number, o: number, multiple: boolean) =>
    setAnswers((a) => a.map((x, i) => (i !== q ? x : multiple ? (x.includes(o) ? x.filter((v) => v !== o) : [...x, o]) : [o])));
  const submit = async () => {
    setError(null);
    try {
      const r = await api<Outcome>('POST', tenantPath(slug, `/awareness/modules/${m.id}/attempts`), { answers });
      setOutcome(r);
      onDone();
    } catch (e) {
      setError(errorText(t, e));
    }
  };
  return (
    <form onSubmit={(e) => (e.preventDefault(), void submit())}>
      {m.quiz.map((q, qi) => (
        <fieldset key={qi}>
          <legend>{q.question}</legend>
          {q.options.map((o, oi) => (
            <label key={oi} className="row">
              <input type={q.multiple ? 'checkbox' : 'radio'} name={`q${qi}`} checked={answers[qi]!.includes(oi)} onChange={() => toggle(qi, oi, q.multiple)} />
              {o}
            </label>
          ))}
        </fieldset>
      ))}
      <Button type="submit" variant="primary">{t('awareness.submitQuiz')}</Button>
      {outcome && (
        <Alert tone={outcome.passed ? 'success' : 'warning'}>
          {outcome.passed
            ? t('awareness.passed', { score: outcome.score })
            : t('awareness.failed', { score: outcome.score, pass: outcome.passPercent, left: outcome.attemptsLeft })}
        </Alert>
      )}
      {error && <Alert>{error}</Alert>}
    </form>
  );
}

export function AwarenessTrainingPage({ slug }: { slug: string }) {
  const { t } = useI18n();
  const mine = useLoad(() => api<Mine>('GET', tenantPath(slug, '/awareness/me')), [slug]);
  const [open, setOpen] = useState<string | null>(null);
  const current = mine.data?.modules.find((m) => m.id === open) ?? null;
  return (
    <>
      <PageHeader title={t('awareness.myTitle')} subtitle={t('awareness.mySubtitle')} />
      <ReportPhishing slug={slug} />
      {mine.loading && !mine.data ? (
        <Spinner />
      ) : mine.error ? (
        <ErrorState error={mine.error} onRetry={mine.reload} />
      ) : !mine.data?.modules.length ? (
        <EmptyState title={t('awareness.noModules')}>{t('awareness.noModulesBody')}</EmptyState>
      ) : (
        <Card title={t('awareness.modules')}>
          <ul className="stack">
            {mine.data.modules.map((m) => {
              const due = mine.data!.assignments.find((a) => a.moduleId === m.id && !a.completedAt);
              return (
                <li key={m.id} className="row">
                  <Button variant="ghost" onClick={() => setOpen(m.id)}>{m.title}</Button>
                  {m.passed ? <Badge tone="success">{t('awareness.done')}</Badge> : <Badge tone="warning">{t('awareness.todo')}</Badge>}
                  {due && <Badge tone="danger">{t('awareness.dueBy', { date: new Date(due.dueAt).toLocaleDateString() })}</Badge>}
                </li>
              );
            })}
          </ul>
        </Card>
      )}
      {current && (
        <Card title={`${current.title} · v${current.version}`}>
          {current.sections.map((s, i) => (
            <section key={i}>
              <h3>{s.heading}</h3>
              <Markdown source={s.markdown} />
            </section>
          ))}
          <h3>{t('awareness.quiz')}</h3>
          <p>{t('awareness.quizRules', { pass: current.passPercent, left: current.maxAttempts - current.attemptsUsed })}</p>
          <Quiz key={`${current.id}-${current.version}`} slug={slug} m={current} onDone={mine.reload} />
        </Card>
      )}
    </>
  );
}
