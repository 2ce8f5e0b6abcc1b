// Wiring of the contact-center modules (customers, ingest, conversations, chat, voice) into the
// HTTP app: one call from app.ts. Returns the services for runtime wiring (demo seed, e-mail).

import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { widgetLimitRoutes } from '../channels/chat/limit-routes.ts';
import type { PlatformWidgetLimits } from '../channels/chat/limits.ts';
import { chatRoutes } from '../channels/chat/routes.ts';
import { createChatService } from '../channels/chat/service.ts';
import { widgetThemeRoutes } from '../channels/chat/theme.ts';
import { loadWidgetSecret } from '../channels/chat/token.ts';
import { voiceRoutes } from '../channels/voice/routes.ts';
import { createVoiceService } from '../channels/voice/service.ts';
import type { Keyring } from '../crypto/index.ts';
import { customerRoutes } from '../customers/routes.ts';
import { createCustomerService } from '../customers/service.ts';
import { createEventBus, createIngest, createPolicyStore } from '../ingest/index.ts';
import type { AuditRecorder } from '../platform/audit-port.ts';
import { type ClusterBus, createLocalBus } from '../platform/cluster/index.ts';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/db.ts';
import type { RateCounter } from '../platform/rate-limit.ts';
import { routeByLanguage } from '../translation/index.ts';
import { createCustomerPanel } from './customer-panel.ts';
import { inboxRoutes } from './inbox-routes.ts';
import { createLiveHub } from './live.ts';
import { createMacros } from './macros.ts';
import { conversationRoutes } from './routes.ts';
import { createConversationSearch } from './search.ts';
import { createConversationService, type SendEmailReply } from './service.ts';
import { createServiceLevels, serviceLevelRoutes } from './service-levels.ts';
import { createSnooze } from './snooze.ts';
import { createSupervision, supervisionRoutes } from './supervision.ts';
import { createTransfer, transferRoutes } from './transfer.ts';
import { agentTyping } from './typing.ts';

export interface ContactCenterDeps {
  config: Pick<Config, 'dataDir'> & PlatformWidgetLimits;
  db: Database;
  audit: AuditRecorder;
  keyring: Keyring;
  sendEmailReply?: SendEmailReply;
  /** Fans conversation events out to agents connected to any node. */
  bus?: ClusterBus;
  /** Cluster-wide counters for the widget's per-visitor limit. */
  rates: RateCounter;
  /** Active tenants, for the periodic service-level breach check. */
  tenantIds(): Promise<string[]>;
  onError(e: unknown, where: string): void;
}

export async function registerContactCenter(http: FastifyInstance, deps: ContactCenterDeps) {
  const { db, audit, keyring } = deps;
  if (!http.hasDecorator('websocketServer')) {
    await http.register(websocket, { options: { maxPayload: 64 * 1024 } });
  }
  const events = createEventBus();
  const hub = createLiveHub();
  // Committed events go through the cluster bus, which delivers here at once and to other nodes.
  const bus = deps.bus ?? createLocalBus();
  events.subscribe((e) => bus.publish({ type: 'conversation', event: e }));
  bus.subscribe((e) => {
    if (e.type === 'conversation') hub.publish(e.event);
    else if (e.type === 'typing') hub.typing(e);
  });
  const policies = createPolicyStore();
  const customers = createCustomerService({ db, keyring, audit });
  const ingest = createIngest({ db, keyring, audit, customers, policies, events, routeByLanguage });
  const chat = createChatService({
    db,
    keyring,
    ingest,
    customers,
    secret: loadWidgetSecret(deps.config.dataDir),
    rates: deps.rates,
    bus,
    limits: deps.config,
  });
  const conversations = createConversationService({
    db,
    keyring,
    audit,
    ingest,
    events,
    isOnline: hub.isOnline,
    deliverChat: chat.deliver,
    ...(deps.sendEmailReply ? { sendEmailReply: deps.sendEmailReply } : {}),
  });
  const voice = createVoiceService({ db, keyring, audit, ingest, events });

  const search = createConversationSearch({ db, keyring, customers, conversations, audit, events });
  events.subscribe(search.onEvent);
  const panel = createCustomerPanel({ db, audit, customers, policyFor: policies.policyFor });
  const snooze = createSnooze({ db, audit, events });
  http.addHook('onClose', async () => snooze.close());
  const onTyping = (ctx: Parameters<typeof agentTyping>[1], frame: unknown) =>
    void agentTyping(db, ctx, frame)
      .then((e) => e && bus.publish(e))
      .catch(() => {
        // a lost typing hint is harmless
      });

  customerRoutes(http, { customers });
  conversationRoutes(http, { conversations, hub, onTyping });
  inboxRoutes(http, { search, snooze, panel, macros: createMacros({ db, audit, panel }) });
  chatRoutes(http, { chat, perIpPerMinute: deps.config.widgetPerIpPerMinute });
  widgetLimitRoutes(http, { db, audit, chat, platform: deps.config });
  widgetThemeRoutes(http, { db, audit, forget: chat.forget });
  voiceRoutes(http, { voice });
  transferRoutes(http, { transfer: createTransfer({ db, audit, events, note: conversations.note }) });
  const serviceLevels = createServiceLevels({
    db,
    audit,
    events,
    tenantIds: deps.tenantIds,
    onError: (e) => deps.onError(e, 'service levels'),
  });
  serviceLevelRoutes(http, { serviceLevels });
  supervisionRoutes(http, {
    supervision: createSupervision({ db, isOnline: hub.isOnline, presenceMinutes: 5, serviceLevels }),
  });
  serviceLevels.start();
  http.addHook('onClose', () => serviceLevels.stop());

  return { customers, ingest, conversations, chat, voice, hub, events, policies, search, serviceLevels };
}

export type ContactCenter = Awaited<ReturnType<typeof registerContactCenter>>;
