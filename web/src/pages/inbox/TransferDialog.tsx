// Transfer a conversation to another agent and/or queue, with a note for the receiver.
import { type FormEvent, useState } from 'react';
import { api, tenantPath } from '../../api';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { useSession } from '../../session';
import { Alert, Button, Dialog, errorText, Select, Spinner, TextArea } from '../../ui';

interface Targets {
  queues: Array<{ id: string; name: string }>;
  agents: Array<{ id: string; displayName: string; queueIds: string[] }>;
}

export function TransferDialog({
  slug,
  conversationId,
  currentQueueId,
  open,
  onClose,
  onDone,
}: {
  slug: string;
  conversationId: string;
  currentQueueId: string | null;
  open: boolean;
  onClose(): void;
  onDone(): void;
}) {
  const { t } = useI18n();
  const s = useSession();
  const targets = useLoad(
    () => (open ? api<Targets>('GET', tenantPath(slug, '/transfer-targets')) : Promise.resolve(null)),
    [slug, open],
  );
  const [queueId, setQueueId] = useState('');
  const [userId, setUserId] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const queue = queueId || currentQueueId;
  const agents = (targets.data?.agents ?? []).filter(
    (a) => a.id !== s.user?.id && (!queue || a.queueIds.includes(queue)),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!queueId && !userId) return setError(t('inbox.transferPick'));
    setBusy(true);
    try {
      await api('POST', tenantPath(slug, `/conversations/${conversationId}/transfer`), {
        ...(userId ? { userId } : {}),
        ...(queueId ? { queueId } : {}),
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      setNote('');
      setError(null);
      onDone();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog open={open} title={t('inbox.transfer')} onClose={onClose}>
      {!targets.data ? (
        <Spinner />
      ) : (
        <form className="stack" onSubmit={submit} noValidate>
          <Select
            label={t('inbox.transferQueue')}
            value={queueId}
            onChange={(e) => {
              setQueueId(e.target.value);
              setUserId('');
            }}
            options={[
              { value: '', label: t('inbox.transferSameQueue') },
              ...targets.data.queues.map((q) => ({ value: q.id, label: q.name })),
            ]}
          />
          <Select
            label={t('inbox.transferAgent')}
            value={userId}
            onChange={(e) => setUserId(e.target.value)}
            options={[
              { value: '', label: t('inbox.transferNobody') },
              ...agents.map((a) => ({ value: a.id, label: a.displayName })),
            ]}
          />
          <TextArea
            label={t('inbox.transferNote')}
            value={note}
            maxLength={2000}
            onChange={(e) => setNote(e.target.value)}
          />
          {error && <Alert>{error}</Alert>}
          <div className="dialog-footer">
            <Button variant="ghost" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" variant="primary" busy={busy}>
              {t('inbox.transferSubmit')}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
