// Reveal of a tokenized value with a reason. On a conversation that is not assigned to the agent
// the dialog first explains the policy (insider monitoring raises the "revealed outside an
// assigned conversation" alert) and offers to assign it; the reveal form follows the assignment.
import { type FormEvent, useState } from 'react';
import { api, tenantPath } from '../../api';
import { useI18n } from '../../i18n';
import { Alert, Button, Dialog, errorText, TextArea } from '../../ui';

export interface RevealTarget {
  type: string;
  token: string;
  conversationId: string;
}

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
  onRevealed(token: string, value: string): void;
}) {
  const { t, code } = useI18n();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [assignedNow, setAssignedNow] = useState<string | null>(null);
  const mayReveal = assignedToMe || (!!target && assignedNow === target.conversationId);
  const close = () => {
    setReason('');
    setError(null);
    onClose();
  };
  const assign = async () => {
    if (!target) return;
    setBusy(true);
    try {
      await onAssign(target.conversationId);
      setAssignedNow(target.conversationId);
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
      const r = await api<{ token: string; value: string }>(
        'POST',
        tenantPath(slug, `/conversations/${target.conversationId}/reveal`),
        { token: target.token, reason: reason.trim() },
      );
      onRevealed(r.token, r.value);
      close();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={target !== null}
      title={t('inbox.revealTitle', { type: code('pii.entity', target?.type) })}
      onClose={close}
    >
      {!mayReveal ? (
        <div className="stack" data-testid="reveal-assign-first">
          <Alert tone="warning">{t('inbox.revealAssignFirst')}</Alert>
          <p>{t('inbox.revealAssignWhy')}</p>
          {error && <Alert>{error}</Alert>}
          <div className="dialog-footer">
            <Button variant="ghost" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button variant="primary" busy={busy} onClick={() => void assign()} data-autofocus>
              {t('inbox.revealAssignButton')}
            </Button>
          </div>
        </div>
      ) : (
        <form className="stack" onSubmit={submit} noValidate>
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
