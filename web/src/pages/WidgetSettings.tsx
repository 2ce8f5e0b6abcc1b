// The chat widget's look for a tenant admin: colours (the server refuses text that would not be
// readable on the primary colour), position, language, logo and privacy link (https), and the
// snippet to paste into the company's pages.
import { type FormEvent, useEffect, useState } from 'react';
import { api, tenantPath } from '../api';
import { useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { Button, Card, ErrorState, errorText, Input, PageHeader, Select, Spinner, useToast } from '../ui';

interface Theme {
  primary: string;
  onPrimary: string;
  position: 'bottom-right' | 'bottom-left';
  language: 'auto' | 'de' | 'en' | 'fr';
  logoUrl: string | null;
  privacyUrl: string | null;
  title: string | null;
}

export function WidgetSettingsPage({ slug }: { slug: string }) {
  const { t } = useI18n();
  const toast = useToast();
  const loaded = useLoad(() => api<Theme>('GET', tenantPath(slug, '/widget/theme')), [slug]);
  const [theme, setTheme] = useState<Theme | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setTheme(loaded.data), [loaded.data]);
  if (loaded.error && !loaded.data) return <ErrorState error={loaded.error} onRetry={loaded.reload} />;
  if (!theme) return <Spinner />;
  const set = (patch: Partial<Theme>) => setTheme({ ...theme, ...patch });
  const orNull = (s: string) => (s.trim() ? s.trim() : null);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setTheme(await api<Theme>('PUT', tenantPath(slug, '/widget/theme'), theme));
      toast(t('widget.saved'));
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <PageHeader title={t('widget.title')} subtitle={t('widget.subtitle')} />
      <Card title={t('widget.look')}>
        <form className="stack" onSubmit={save} noValidate>
          <Input label={t('widget.primary')} type="color" value={theme.primary} onChange={(e) => set({ primary: e.target.value })} />
          <Input label={t('widget.onPrimary')} type="color" value={theme.onPrimary} onChange={(e) => set({ onPrimary: e.target.value })} />
          <Select
            label={t('widget.position')}
            value={theme.position}
            onChange={(e) => set({ position: e.target.value as Theme['position'] })}
            options={[
              { value: 'bottom-right', label: t('widget.position.bottom-right') },
              { value: 'bottom-left', label: t('widget.position.bottom-left') },
            ]}
          />
          <Select
            label={t('widget.language')}
            value={theme.language}
            onChange={(e) => set({ language: e.target.value as Theme['language'] })}
            options={[
              { value: 'auto', label: t('widget.language.auto') },
              { value: 'de', label: 'Deutsch' },
              { value: 'en', label: 'English' },
              { value: 'fr', label: 'Français' },
            ]}
          />
          <Input label={t('widget.heading')} value={theme.title ?? ''} maxLength={60} onChange={(e) => set({ title: orNull(e.target.value) })} />
          <Input label={t('widget.logoUrl')} hint={t('widget.httpsHint')} type="url" value={theme.logoUrl ?? ''} onChange={(e) => set({ logoUrl: orNull(e.target.value) })} />
          <Input label={t('widget.privacyUrl')} hint={t('widget.httpsHint')} type="url" value={theme.privacyUrl ?? ''} onChange={(e) => set({ privacyUrl: orNull(e.target.value) })} />
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <Button type="submit" variant="primary" busy={busy}>
            {t('widget.save')}
          </Button>
        </form>
      </Card>
      <Card title={t('widget.embed')}>
        <p>{t('widget.embedHint')}</p>
        <code data-testid="widget-snippet">{`<script src="${location.origin}/widget/${slug}.js" async></script>`}</code>
      </Card>
    </>
  );
}
