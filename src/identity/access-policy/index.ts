// Network, device and training policy for tenant access (issue 14): services, the guard's gate
// and the routes, wired once.
import type { FastifyInstance } from 'fastify';
import type { AuditRecorder } from '../../platform/audit-port.ts';
import type { Database, Tx } from '../../platform/db.ts';
import { createDeviceService } from './devices.ts';
import { createAccessGate, createRulesCache } from './gate.ts';
import { createPolicyService } from './policies.ts';
import { accessPolicyRoutes } from './routes.ts';
import { type Clock, createTrainingService, type TrainingEvidence, trainingEvidence } from './training.ts';

export { type TrainingEvidence, trainingEvidence };

export function createAccessPolicy(deps: {
  db: Database;
  audit: AuditRecorder;
  secureCookies: boolean;
  clock?: Clock;
  /** Trainings completed only through a quiz (security awareness modules). */
  quizBacked?: (tx: Tx, trainingId: string) => Promise<boolean>;
}) {
  const rules = createRulesCache(deps.db);
  const policies = createPolicyService({ ...deps, onChange: rules.invalidate });
  const devices = createDeviceService({ ...deps, onChange: rules.invalidate });
  const trainings = createTrainingService({ ...deps, onChange: rules.invalidate });
  return {
    policies,
    devices,
    trainings,
    admitTenant: createAccessGate({ ...deps, rules }),
    /** Completion records of a tenant's trainings and attestations, for the client security report. */
    trainingEvidence: (tenantId: string): Promise<TrainingEvidence[]> => trainings.evidence(tenantId),
    register(app: FastifyInstance) {
      accessPolicyRoutes(app, { policies, devices, trainings, secureCookies: deps.secureCookies });
    },
  };
}

export type AccessPolicyModule = ReturnType<typeof createAccessPolicy>;
