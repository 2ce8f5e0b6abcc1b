// Export of the filtered view as CSV or JSON (at most 10,000 events, newest first). The server
// records every export in the audit log; the file is handed to the browser as a download.
import { useState } from 'react';
import { ApiError, query, tenantPath } from '../../api';
import { useI18n } from '../../i18n';
import { Button, errorText, useToast } from '../../ui';

export function ExportButtons({ slug, filters }: { slug: string; filters: Record<string, string | undefined> }) {
  const { t } = useI18n();
  const toast = useToast();
  const [busy, setBusy] = useState<string | null>(null);
  const download = async (format: 'csv' | 'json') => {
    setBusy(format);
    try {
      const r = await fetch(tenantPath(slug, `/audit/export${query({ ...filters, format })}`), {
        credentials: 'same-origin',
      });
      if (!r.ok) {
        const body = (await r.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
        throw new ApiError(body?.error?.code ?? 'internal', r.status, body?.error?.message ?? '');
      }
      const name = /filename="([^"]+)"/.exec(r.headers.get('content-disposition') ?? '')?.[1] ?? `audit.${format}`;
      const url = URL.createObjectURL(await r.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      toast(t('audit.exported'));
    } catch (e) {
      toast(errorText(t, e), 'danger');
    } finally {
      setBusy(null);
    }
  };
  return (
    <div className="row" role="group" aria-label={t('audit.export')}>
      <Button size="sm" busy={busy === 'csv'} onClick={() => void download('csv')}>
        {t('audit.exportCsv')}
      </Button>
      <Button size="sm" busy={busy === 'json'} onClick={() => void download('json')}>
        {t('audit.exportJson')}
      </Button>
    </div>
  );
}
