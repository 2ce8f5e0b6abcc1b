// Security awareness programme (issue 27): phishing simulations, reported phishing, training
// modules with a quiz, measures. The only import surface of the domain.
import type { FastifyInstance } from 'fastify';
import type { Keyring } from '../crypto/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { Database } from '../platform/db.ts';
import { createCampaignService } from './campaigns.ts';
import { drillRoutes } from './drill-routes.ts';
import { createDrillService, type DrillAuditReader, type DrillDeps } from './drills.ts';
import { landingRoutes } from './landing.ts';
import { createReportService } from './reports.ts';
import { createResultsService } from './results.ts';
import { awarenessRoutes } from './routes.ts';
import { campaignSenderJob, createRelayMailer, type SimulationMailer } from './sender.ts';
import { createTokenSigner, loadSimulationKey } from './token.ts';
import { createModuleService, type GateTrainings } from './training.ts';

export { type AwarenessSection, awarenessSection } from './evidence.ts';
export { MIN_GROUP } from './measures.ts';
export { TEMPLATE_KEYS } from './templates.ts';
export { isQuizBacked } from './training-store.ts';
export type { DrillAuditReader, GateTrainings, SimulationMailer };

/** A tenant's phish-report address on the inbound SMTP host. */
export const phishReportAddress = (tenantSlug: string, hostname: string) =>
  `phish-report+${tenantSlug}@${hostname}`;

export interface AwarenessDeps {
  db: Database;
  audit: AuditRecorder;
  keyring: Pick<Keyring, 'encryptField' | 'decryptFieldText'>;
  /** The tenant training gate (access policy): modules define and complete its trainings. */
  gate: GateTrainings;
  dataDir: string;
  relayUrl: string | undefined;
  hostname: string;
  baseUrl(): string;
  /** How often the sender job looks for due mails. */
  sendEveryMs?: number;
  onError(e: unknown, where: string): void;
  /** Drills: the contact center's ingest (absent without it) and the audit log they are scored from. */
  ingest: DrillDeps['ingest'];
  auditLog: DrillAuditReader;
}

export function createAwareness(deps: AwarenessDeps) {
  const signer = createTokenSigner(loadSimulationKey(deps.dataDir));
  const modules = createModuleService(deps);
  const campaigns = createCampaignService({
    ...deps,
    signer,
    mailer: deps.relayUrl ? createRelayMailer(deps.relayUrl) : null,
    onRisky: (ref, userId, campaignId, kind, language) =>
      modules.assignRefresher(ref, userId, campaignId, kind, language),
  });
  const reports = createReportService({ ...deps, signer });
  const results = createResultsService(deps);
  const drills = createDrillService({ ...deps, assignRefresher: modules.assignDrillRefresher });
  return {
    campaigns,
    reports,
    modules,
    results,
    drills,
    /** A mail forwarded to the phish-report address (SMTP intake). */
    reportBySmtp: reports.reportBySmtp,
    /** The slug named by a phish-report address of this host, or null. */
    slugOfReportAddress(address: string): string | null {
      const m = /^phish-report\+([a-z0-9][a-z0-9-]{1,62})@(.+)$/.exec(address.trim().toLowerCase());
      return m && m[2] === deps.hostname.toLowerCase() ? m[1]! : null;
    },
    senderJob: campaignSenderJob(campaigns, deps.sendEveryMs ?? 2000, (e) =>
      deps.onError(e, 'awareness.sender'),
    ),
    register(app: FastifyInstance) {
      awarenessRoutes(app, { campaigns, results, reports, modules, drills });
      drillRoutes(app, { drills });
      landingRoutes(app, { campaigns });
    },
  };
}

export type Awareness = ReturnType<typeof createAwareness>;
