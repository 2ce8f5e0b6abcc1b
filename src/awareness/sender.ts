// Sending simulated mails: the outbound relay transport and the leased job that sends due mails.
import { createRelayTransport } from '../platform/mail-relay.ts';
import type { CampaignService } from './campaigns.ts';

export interface SimulationMailer {
  send(m: { from: string; to: string; subject: string; text: string; html: string }): Promise<void>;
}

/** The outbound relay (SMTP_RELAY_URL), as the e-mail channel and verification codes use it. */
export function createRelayMailer(relayUrl: string): SimulationMailer {
  return createRelayTransport(relayUrl);
}

export const sendErrorCode = (e: unknown) => {
  const x = e as { code?: string; responseCode?: number };
  if (x.responseCode) return `smtp_${x.responseCode}`;
  return (x.code ?? 'relay_error')
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 40);
};

/** The sender as a leased background job (runtime.ts runs it on one node at a time). */
export function campaignSenderJob(
  campaigns: Pick<CampaignService, 'sendDue'>,
  everyMs: number,
  onError: (e: unknown) => void,
) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let active = false;
  const loop = () => {
    if (!active) return;
    running = campaigns
      .sendDue()
      .catch(onError)
      .finally(() => {
        if (active) timer = setTimeout(loop, everyMs);
      });
  };
  return {
    name: 'awareness.sender',
    start: () => {
      active = true;
      loop();
    },
    stop: async () => {
      active = false;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
