// The files of a conversation (e-mail attachments, widget uploads) with their malware-scan
// state. Only scanned, clean files can be downloaded; the server refuses the others as well.
import { api, tenantPath } from '../../api';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { Badge } from '../../ui';

interface FileItem {
  fileId: string;
  source: string;
  type: string;
  size: number;
  scanState: 'pending' | 'clean' | 'infected' | 'unscannable' | 'deleted';
  receivedAt: string;
}

const TONE = {
  clean: 'success',
  pending: 'neutral',
  unscannable: 'warning',
  infected: 'danger',
  deleted: 'neutral',
} as const;

export function Files({
  slug,
  conversationId,
  tick,
}: {
  slug: string;
  conversationId: string;
  tick: number;
}) {
  const { t } = useI18n();
  const files = useLoad(
    () => api<{ items: FileItem[] }>('GET', tenantPath(slug, `/conversations/${conversationId}/files`)),
    [slug, conversationId, tick],
  );
  const items = files.data?.items ?? [];
  if (!items.length) return null;
  return (
    <section className="card stack" aria-labelledby="files-heading">
      <h3 id="files-heading">{t('files.title')}</h3>
      <ul className="stack" data-testid="files">
        {items.map((f) => (
          <li key={f.fileId} className="row">
            <span>{f.type}</span>
            <span className="muted small">{Math.max(1, Math.round(f.size / 1024))} KB</span>
            <Badge tone={TONE[f.scanState]}>{t(`files.state.${f.scanState}`)}</Badge>
            {f.scanState === 'clean' && (
              <a href={tenantPath(slug, `/conversations/${conversationId}/files/${f.fileId}`)} download>
                {t('files.download')}
              </a>
            )}
          </li>
        ))}
      </ul>
      {items.some((f) => f.scanState !== 'clean') && <p className="muted small">{t('files.hint')}</p>}
    </section>
  );
}
