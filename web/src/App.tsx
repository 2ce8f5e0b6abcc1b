// Routes of the consoles; the sign-in page whenever nobody is signed in.
import { useEffect, useState } from 'react';
import { useI18n } from './i18n';
import { AccessPolicyPage } from './pages/AccessPolicy';
import { AccountPage } from './pages/Account';
import { AdminTenantsPage, AdminUsersPage } from './pages/Admin';
import { AlertDetailPage, AlertsPage } from './pages/Alerts';
import { QualityReviewsPage } from './pages/QualityReviews';
import { QuarantinePage } from './pages/Quarantine';
import { AwarenessCampaignsPage, AwarenessMeasuresPage } from './pages/AwarenessCampaigns';
import { AwarenessTrainingPage } from './pages/AwarenessTraining';
import { AuditPage } from './pages/Audit';
import { CockpitPage } from './pages/Cockpit';
import { DashboardPage } from './pages/Dashboard';
import { DpoRequestsPage } from './pages/DpoRequests';
import { DpoCompliancePage } from './pages/DpoCompliance';
import { GovernancePage } from './pages/Governance';
import { InboxPage } from './pages/Inbox';
import { PrivacyPage } from './pages/Pending';
import { SupervisorPage } from './pages/Supervisor';
import { SettingsPage } from './pages/Settings';
import { SignInPage } from './pages/SignIn';
import { TokensPage } from './pages/Tokens';
import { UsersPage } from './pages/Users';
import { WidgetSettingsPage } from './pages/WidgetSettings';
import { InviteAcceptPage } from './pages/users/InviteAccept';
import { match, navigate, usePath } from './router';
import { StepUpPrompt } from './StepUp';
import { idleMinutes, useSession, warnAfterMinutes } from './session';
import { Button, Dialog, EmptyState, Spinner } from './ui';
import { Layout } from './ui/Layout';

export function App() {
  const s = useSession();
  const path = usePath();
  const { t } = useI18n();

  useEffect(() => {
    const title = t('app.title');
    document.title = title;
  }, [t]);

  // The invited person is not signed in (and whoever is, in this browser, does not matter here).
  if (path === '/app/invite') return <InviteAcceptPage />;
  if (s.state.status === 'loading')
    return (
      <div className="center-page">
        <Spinner />
      </div>
    );
  if (s.state.status === 'signedOut') return <SignInPage reason={s.state.reason} />;

  if (!path.startsWith('/app')) {
    navigate('/app', { replace: true });
    return null;
  }
  const tenantMatch = /^\/app\/t\/([^/]+)/.exec(path);
  // With one tenant, its pages are in the navigation from the start.
  const slug = tenantMatch
    ? decodeURIComponent(tenantMatch[1]!)
    : s.tenants.length === 1
      ? s.tenants[0]!.slug
      : null;
  return (
    <Layout path={path} slug={slug}>
      <IdleWatch />
      <StepUpPrompt />
      <Page path={path} slug={slug} />
    </Layout>
  );
}

function Page({ path, slug }: { path: string; slug: string | null }) {
  const { t } = useI18n();
  const s = useSession();
  if (path === '/app' || path === '/app/') return <DashboardPage />;
  if (match('/app/account', path)) return <AccountPage />;
  if (match('/app/admin/tenants', path)) return <AdminTenantsPage />;
  if (match('/app/admin/users', path)) return <AdminUsersPage />;
  if (slug && !s.tenants.some((x) => x.slug === slug))
    return <EmptyState title={t('common.notFound')}>{t('common.notFoundBody')}</EmptyState>;
  if (match('/app/t/:slug', path)) return <DashboardPage slug={slug!} />;
  if (match('/app/t/:slug/users', path)) return <UsersPage slug={slug!} />;
  if (match('/app/t/:slug/audit', path)) return <AuditPage slug={slug!} />;
  if (match('/app/t/:slug/alerts', path)) return <AlertsPage slug={slug!} />;
  if (match('/app/t/:slug/quarantine', path)) return <QuarantinePage slug={slug!} />;
  if (match('/app/t/:slug/awareness', path)) return <AwarenessTrainingPage slug={slug!} />;
  if (match('/app/t/:slug/awareness/campaigns', path)) return <AwarenessCampaignsPage slug={slug!} />;
  if (match('/app/t/:slug/awareness/measures', path)) return <AwarenessMeasuresPage slug={slug!} />;
  if (match('/app/t/:slug/quality', path)) return <QualityReviewsPage slug={slug!} />;
  const alert = match('/app/t/:slug/alerts/:id', path);
  if (alert) return <AlertDetailPage slug={slug!} id={alert.id!} />;
  if (match('/app/t/:slug/tokens', path)) return <TokensPage slug={slug!} />;
  if (match('/app/t/:slug/inbox', path)) return <InboxPage slug={slug!} id={null} />;
  const conversation = match('/app/t/:slug/inbox/:id', path);
  if (conversation) return <InboxPage slug={slug!} id={conversation.id!} />;
  if (match('/app/t/:slug/supervisor', path)) return <SupervisorPage slug={slug!} />;
  if (match('/app/t/:slug/widget', path)) return <WidgetSettingsPage slug={slug!} />;
  if (match('/app/t/:slug/privacy', path)) return <PrivacyPage slug={slug!} />;
  if (match('/app/t/:slug/settings', path)) return <SettingsPage slug={slug!} />;
  if (match('/app/t/:slug/cockpit', path)) return <CockpitPage slug={slug!} />;
  if (match('/app/t/:slug/access', path)) return <AccessPolicyPage slug={slug!} />;
  if (match('/app/t/:slug/dpo/requests', path)) return <DpoRequestsPage slug={slug!} />;
  if (match('/app/t/:slug/compliance', path)) return <DpoCompliancePage slug={slug!} />;
  if (match('/app/t/:slug/governance', path)) return <GovernancePage slug={slug!} />;
  return <EmptyState title={t('common.notFound')}>{t('common.notFoundBody')}</EmptyState>;
}

/** Warns before the server's idle timeout and signs out locally when it has passed. */
function IdleWatch() {
  const { t } = useI18n();
  const s = useSession();
  const [warn, setWarn] = useState(false);
  const [busy, setBusy] = useState(false);
  const [left, setLeft] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => {
      const idle = idleMinutes();
      const limit = s.idleLimit;
      if (idle >= limit) s.endLocally('session_expired');
      else if (idle >= warnAfterMinutes(limit)) {
        setWarn(true);
        setLeft(Math.max(0, Math.ceil((limit - idle) * 60)));
      } else setWarn(false);
    }, 1000);
    return () => clearInterval(timer);
  }, [s]);
  const stay = async () => {
    setBusy(true);
    try {
      await s.refresh();
      setWarn(false);
    } catch {
      // the client's 401 handler signs out
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open={warn}
      title={t('idle.title')}
      onClose={() => void stay()}
      footer={
        <>
          <Button variant="ghost" onClick={() => void s.signOut()}>
            {t('nav.signOut')}
          </Button>
          <Button variant="primary" busy={busy} onClick={() => void stay()} data-autofocus>
            {t('idle.stay')}
          </Button>
        </>
      }
    >
      <p>{t('idle.body', { seconds: left })}</p>
    </Dialog>
  );
}
