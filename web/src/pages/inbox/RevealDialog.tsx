// Reveal of a masked value (a token in the text, or a field of the customer panel) with a reason.
// One policy with the server and insider monitoring: on a conversation not assigned to the agent
// the server refuses (409 assignment_required) unless the agent confirms, because exactly those
// reveals raise the "revealed outside an assigned conversation" alert. So the dialog first explains
// the rule and offers to assign the conversation; revealing anyway needs an explicit confirmation.
import { type FormEvent, useState } from 'react';
import { ApiError, api, tenantPath } from '../../api';
import { useI18n } from '../../i18n';
import { Alert, Button, Dialog, errorText, TextArea } from '../../ui';

export interface RevealTarget {
  type: string;
  conversationId: string;
  /** A token in a message … */
  token?: string;
  /** … or a masked field of the customer panel. */
  field?: string;
}

/** The key a revealed value is kept under in the conversation view. */
export const revealKey = (t: RevealTarget) => (t.field ? `field:${t.field}` : (t.token ?? ''));

export function RevealDialog({
  slug,
  target,
  assignedToMe,
  onAssign,
  onClose,
  onRevealed,
}: {
  slug: string;
  target: RevealTarget | null;
  assignedToMe: boolean;
  onAssign(conversationId: string): Promise<void>;
  onClose(): void;
  onRevealed(key: string, value: string): void;
}) {
  const { t, code } = useI18n();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [assignedNow, setAssignedNow] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState<string | null>(null);
  const [refused, setRefused] = useState(false);
  const cid = target?.conversationId ?? null;
  const assigned = !refused && (assignedToMe || (!!cid && assignedNow === cid));
  const acknowledged = !!cid && confirmed === cid;
  const close = () => {
    setReason('');
    setError(null);
    setRefused(false);
    onClose();
  };
  const assign = async () => {
    if (!target) return;
    setBusy(true);
    try {
      await onAssign(target.conversationId);
      setAssignedNow(target.conversationId);
      setRefused(false);
      setError(null);
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!target) return;
    if (reason.trim().length < 10) return setError(t('inbox.revealReasonShort'));
    setBusy(true);
    try {
      const body = { reason: reason.trim(), ...(acknowledged ? { acknowledgeUnassigned: true } : {}) };
      const base = tenantPath(slug, `/conversations/${target.conversationId}`);
      const value = target.field
        ? (
            await api<{ values: string[] }>('POST', `${base}/customer-panel/reveal`, {
              field: target.field,
              ...body,
            })
          ).values.join(', ')
        : (await api<{ value: string }>('POST', `${base}/reveal`, { token: target.token, ...body })).value;
      onRevealed(revealKey(target), value);
      close();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'assignment_required') setRefused(true);
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  const label = target?.field ? t(`inbox.panelField.${target.field}`) : code('pii.entity', target?.type);
  return (
    <Dialog open={target !== null} title={t('inbox.revealTitle', { type: label })} onClose={close}>
      {!assigned && !acknowledged ? (
        <div className="stack" data-testid="reveal-assign-first">
          <Alert tone="warning">{t('inbox.revealAssignFirst')}</Alert>
          <p>{t('inbox.revealAssignWhy')}</p>
          {error && <Alert>{error}</Alert>}
          <div className="dialog-footer">
            <Button variant="ghost" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button variant="danger" onClick={() => cid && setConfirmed(cid)} data-testid="reveal-anyway">
              {t('inbox.revealAnyway')}
            </Button>
            <Button variant="primary" busy={busy} onClick={() => void assign()} data-autofocus>
              {t('inbox.revealAssignButton')}
            </Button>
          </div>
        </div>
      ) : (
        <form className="stack" onSubmit={submit} noValidate>
          {!assigned && <Alert tone="warning">{t('inbox.revealAlertWillFire')}</Alert>}
          <p>{t('inbox.revealExplain')}</p>
          <TextArea
            label={t('inbox.revealReason')}
            hint={t('inbox.revealHint')}
            error={error}
            value={reason}
            maxLength={500}
            data-autofocus
            onChange={(e) => setReason(e.target.value)}
          />
          <div className="dialog-footer">
            <Button variant="ghost" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" variant="primary" busy={busy}>
              {t('inbox.reveal')}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
