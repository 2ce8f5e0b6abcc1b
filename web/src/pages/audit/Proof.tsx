// The proof of one audit event in its detail view: its position in the tenant's chain and whether
// the latest signed checkpoint covers it. When it does, the browser checks the Merkle inclusion
// proof itself (RFC 9162, SHA-256 via WebCrypto) against that checkpoint's root: the event is in
// the signed log exactly as shown, whatever the server would claim.
import { useEffect, useState } from 'react';
import { api, tenantPath } from '../../api';
import { useI18n } from '../../i18n';
import { Alert, Badge, Button, errorText, Spinner } from '../../ui';
import type { AuditEvent } from './EventTable';

interface Checkpoint {
  treeSize: number;
  rootHash: string;
  time: string;
  keyId: string;
}
interface InclusionProof {
  seq: number;
  treeSize: number;
  leafHash: string;
  path: string[];
}

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
const bytes = (h: string) => new Uint8Array((h.match(/../g) ?? []).map((x) => Number.parseInt(x, 16)));

async function node(left: string, right: string): Promise<string> {
  const buf = new Uint8Array(65);
  buf[0] = 0x01;
  buf.set(bytes(left), 1);
  buf.set(bytes(right), 33);
  return hex(await crypto.subtle.digest('SHA-256', buf));
}

/** RFC 9162 2.1.3.2: the root an inclusion path leads to, or null when the path does not fit. */
export async function rootFromPath(leaf: string, index: number, size: number, path: string[]): Promise<string | null> {
  if (index < 0 || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await node(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else r = await node(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

type State =
  | { kind: 'loading' }
  | { kind: 'uncovered'; checkpoint: Checkpoint | null }
  | { kind: 'verified' | 'mismatch'; checkpoint: Checkpoint; pathLength: number }
  | { kind: 'error'; error: unknown };

export function EventProof({ slug, event }: { slug: string; event: AuditEvent }) {
  const { t, formatDateTime, formatNumber } = useI18n();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [tick, setTick] = useState(0);
  const [signing, setSigning] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: tick re-runs the check after signing
  useEffect(() => {
    let live = true;
    (async () => {
      const { checkpoint } = await api<{ checkpoint: Checkpoint | null }>('GET', tenantPath(slug, '/audit/checkpoints/latest'));
      if (!checkpoint || checkpoint.treeSize < event.seq) return { kind: 'uncovered', checkpoint } as const;
      const p = await api<InclusionProof>(
        'GET',
        tenantPath(slug, `/audit/proofs/inclusion?seq=${event.seq}&treeSize=${checkpoint.treeSize}`),
      );
      const root = p.leafHash === event.hash ? await rootFromPath(p.leafHash, event.seq - 1, p.treeSize, p.path) : null;
      const kind = root === checkpoint.rootHash ? ('verified' as const) : ('mismatch' as const);
      return { kind, checkpoint, pathLength: p.path.length };
    })().then(
      (s) => live && setState(s),
      (error: unknown) => live && setState({ kind: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [slug, event.seq, event.hash, tick]);

  const sign = async () => {
    setSigning(true);
    try {
      await api('POST', tenantPath(slug, '/audit/checkpoints'));
      setTick((x) => x + 1);
    } catch (error) {
      setState({ kind: 'error', error });
    } finally {
      setSigning(false);
    }
  };

  return (
    <section data-testid="audit-proof" aria-label={t('audit.proof')}>
      <h3>{t('audit.proof')}</h3>
      {state.kind === 'loading' && <Spinner />}
      {state.kind === 'error' && <Alert>{errorText(t, state.error)}</Alert>}
      {state.kind === 'uncovered' && (
        <div className="stack">
          <p>
            {state.checkpoint
              ? t('audit.proofNotYet', { size: formatNumber(state.checkpoint.treeSize) })
              : t('audit.noCheckpoint')}
          </p>
          <Button size="sm" busy={signing} onClick={() => void sign()}>
            {t('audit.signCheckpoint')}
          </Button>
        </div>
      )}
      {(state.kind === 'verified' || state.kind === 'mismatch') && (
        <>
          <Badge tone={state.kind === 'verified' ? 'success' : 'danger'}>
            {state.kind === 'verified' ? t('audit.proofVerified') : t('audit.proofMismatch')}
          </Badge>
          <p>
            {t('audit.proofDetail', {
              n: event.seq,
              size: formatNumber(state.checkpoint.treeSize),
              time: formatDateTime(state.checkpoint.time),
              hashes: state.pathLength,
            })}
          </p>
          <p className="muted">
            {t('audit.rootHash')}: <code className="hash">{state.checkpoint.rootHash}</code>
          </p>
        </>
      )}
    </section>
  );
}
