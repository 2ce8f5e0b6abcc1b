// The compliance toolkit (issue 8): retention and legal holds, consent records, breach register,
// records of processing, access reviews, client security report, offboarding, analytics.
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../audit/log.ts';
import type { AuditSigner } from '../audit/types.ts';
import type { Keyring } from '../crypto/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { Database } from '../platform/db.ts';
import { createPrivacyService } from '../privacy/index.ts';
import { createAccessReviews } from './access-reviews.ts';
import { createAnalytics } from './analytics.ts';
import { createBreaches } from './breaches.ts';
import { createConsents } from './consent.ts';
import { createOffboarding } from './offboarding.ts';
import { createRetention } from './retention.ts';
import { createRopa } from './ropa.ts';
import { analyticsRoutes } from './routes-analytics.ts';
import { breachRoutes } from './routes-breaches.ts';
import { consentRoutes } from './routes-consent.ts';
import { offboardingRoutes } from './routes-offboarding.ts';
import { securityReportRoutes } from './routes-report.ts';
import { retentionRoutes } from './routes-retention.ts';
import { accessReviewRoutes } from './routes-reviews.ts';
import { ropaRoutes } from './routes-ropa.ts';
import { type AgreementSource, createSecurityReport } from './security-report.ts';

export { CATEGORIES, createRetention, type Retention, type RunReport } from './retention.ts';

export interface ComplianceDeps {
  db: Database;
  keyring: Keyring;
  audit: AuditRecorder;
  auditLog: AuditLog;
  signer?: AuditSigner | undefined;
  clock?: () => Date;
  /** How often the retention scheduler runs; 0 disables it. Default one hour. */
  retentionIntervalMs?: number;
  onError?: (e: unknown, where: string) => void;
  /** The accepted data-processing agreement shown in the security report (src/governance). */
  agreementOf?: AgreementSource | undefined;
}

export function registerCompliance(http: FastifyInstance, deps: ComplianceDeps) {
  const retention = createRetention(deps);
  retentionRoutes(http, { retention });
  const consents = createConsents(deps);
  consentRoutes(http, { consents });
  const breaches = createBreaches(deps);
  breachRoutes(http, { breaches });
  const ropa = createRopa(deps);
  ropaRoutes(http, { ropa });
  const report = createSecurityReport(deps);
  securityReportRoutes(http, { report });
  const reviews = createAccessReviews(deps);
  accessReviewRoutes(http, { reviews });
  const privacy = createPrivacyService(deps);
  const offboarding = createOffboarding({ ...deps, privacy, ropa });
  offboardingRoutes(http, { offboarding });
  const analytics = createAnalytics(deps);
  analyticsRoutes(http, { analytics });
  const interval = deps.retentionIntervalMs ?? 3_600_000;
  if (interval > 0) {
    const stop = retention.schedule(interval, (e) => deps.onError?.(e, 'retention'));
    http.addHook('onClose', async () => stop());
  }
  return { retention, consents, breaches, ropa, report, reviews, offboarding, analytics };
}

export type Compliance = ReturnType<typeof registerCompliance>;
