// Consoles whose APIs are still being built (pending).
import { useI18n } from '../i18n';
import { Card, EmptyState, PageHeader } from '../ui';

export function PrivacyPage({ slug }: { slug: string }) {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t('privacy.title')} subtitle={slug} />
      <Card title={t('privacy.requests')}>
        <EmptyState title={t('common.pendingTitle')}>{t('privacy.pending')}</EmptyState>
      </Card>
    </>
  );
}
