// Wires alert notifications into a running app: the channels' routes, the delivery worker (on
// every node; claims keep nodes from sending the same attempt) and the hook new alerts call.
import type { FastifyInstance } from 'fastify';
import { assertPublicTarget } from '../audit/tenant-sinks.ts';
import type { Keyring } from '../crypto/keyring.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/db.ts';
import type { AlertView } from './alerts.ts';
import { alertChannelRoutes } from './channel-routes.ts';
import { createAlertChannels } from './channels.ts';
import { createAlertDeliveries } from './deliveries.ts';

export function registerAlertNotifications(
  http: FastifyInstance,
  deps: {
    config: Config;
    db: Database;
    keyring: Keyring;
    audit: AuditRecorder;
    onError: (e: unknown, where: string) => void;
    /** Console languages of tenant members by address (tenancy, from the composition root). */
    localesOf?: (tenantId: string, emails: string[]) => Promise<Map<string, string>>;
  },
): { onAlert(alert: AlertView): Promise<void> } {
  const { config, db } = deps;
  const guardUrl = config.siemAllowPrivateTargets ? undefined : assertPublicTarget;
  let wake = () => {};
  const channels = createAlertChannels({
    db,
    keyring: deps.keyring,
    audit: deps.audit,
    canMail: !!config.smtpRelayUrl,
    ...(guardUrl ? { guardUrl } : {}),
    onEnqueued: () => wake(),
  });
  const deliveries = createAlertDeliveries({
    db,
    channels,
    relayUrl: config.smtpRelayUrl,
    from: `vigil-alerts@${config.emailHostname}`,
    consoleUrl: config.publicUrl,
    retryBaseMs: config.alertRetryBaseSeconds * 1000,
    ...(guardUrl ? { guardUrl } : {}),
    onError: deps.onError,
    ...(deps.localesOf ? { localesOf: deps.localesOf } : {}),
  });
  wake = () => deliveries.kick();
  alertChannelRoutes(http, { channels });
  http.addHook('onReady', async () => deliveries.start());
  http.addHook('onClose', async () => deliveries.stop());
  return {
    onAlert: async (alert) => {
      await channels.enqueue(alert);
    },
  };
}
