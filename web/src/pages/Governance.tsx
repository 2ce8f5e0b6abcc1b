// Privacy governance console (issue 28): sub-processor notices for tenant admins and DPOs, DPIAs
// (the DPO writes and signs; admins and the security officer read), DSAR intakes for the DPO.
import { useI18n } from '../i18n';
import { useSession } from '../session';
import { PageHeader } from '../ui';
import { DpiaSection } from './GovernanceDpia';
import { IntakeSection } from './GovernanceIntakes';
import { SubProcessorNotices } from './GovernanceNotices';
import { AgreementSection, ReviewSection } from './GovernanceReviews';

export function GovernancePage({ slug }: { slug: string }) {
  const { t } = useI18n();
  const s = useSession();
  const roles = s.rolesIn(slug);
  const has = (r: (typeof roles)[number]) => roles.includes(r);
  return (
    <>
      <PageHeader title={t('governance.title')} subtitle={t('governance.subtitle')} />
      {has('dpo') || has('tenant_admin') ? <SubProcessorNotices slug={slug} /> : null}
      {has('dpo') || has('security_officer') ? <ReviewSection slug={slug} /> : null}
      <DpiaSection slug={slug} canWrite={has('dpo')} />
      {has('dpo') || has('tenant_admin') ? <AgreementSection slug={slug} /> : null}
      {has('dpo') ? <IntakeSection slug={slug} /> : null}
    </>
  );
}
