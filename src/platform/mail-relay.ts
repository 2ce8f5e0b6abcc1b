// The outbound SMTP relay (SMTP_RELAY_URL) that every domain sending mail uses: one-time codes,
// payment links, sub-processor notices, awareness simulations. One transport setup, so timeouts
// and TLS behave the same for all of them.
import nodemailer from 'nodemailer';

export interface RelayMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface RelayTransport {
  send(m: RelayMail): Promise<void>;
}

export function createRelayTransport(relayUrl: string): RelayTransport {
  const transport = nodemailer.createTransport(relayUrl, {
    connectionTimeout: 3000,
    greetingTimeout: 3000,
    socketTimeout: 5000,
  } as never);
  return { send: async (m) => void (await transport.sendMail(m)) };
}

/** A plain-text sender with a fixed From address. */
export interface MailSender {
  send(m: { to: string; subject: string; text: string }): Promise<void>;
}

export function createRelayMailSender(relayUrl: string, from: string): MailSender {
  const relay = createRelayTransport(relayUrl);
  return { send: (m) => relay.send({ from, ...m }) };
}
