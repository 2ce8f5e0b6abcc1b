// Inbound SMTP: accepts mail only for configured tenant addresses (unknown recipients 550 at
// RCPT), bounded size (552) and connections, STARTTLS when a certificate is configured, no AUTH.
// 250 only after the message is committed; any failure inside answers 451 so the sender retries.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { EmailError, type EmailService, type Recipient } from './service.ts';

export const MAX_MAIL_BYTES = 10 * 1024 * 1024;

const smtpError = (message: string, responseCode: number) =>
  Object.assign(new Error(message), { responseCode });

export interface InboundSmtp {
  port: number;
  close(): Promise<void>;
}

/** A special address with its own intake instead of a conversation (phish reports, privacy mailbox). */
export interface MailboxIntake {
  /** The owner of this address (a key handed back to receive), or null when it is not one of ours. */
  tenantFor(address: string): Promise<string | null>;
  /** Takes the mail; throwing an EmailError refuses it with that SMTP code. */
  receive(tenantId: string, from: string | null, raw: Buffer): Promise<void>;
}
export type PhishReportIntake = MailboxIntake;

export async function startInboundSmtp(opts: {
  email: EmailService;
  logger: Pick<Logger, 'warn' | 'error' | 'info'>;
  port: number;
  host: string;
  hostname: string;
  tlsCertFile?: string | undefined;
  tlsKeyFile?: string | undefined;
  maxBytes?: number;
  maxClients?: number;
  /** The phish-report address of a tenant (security awareness, issue 27): its own intake. */
  phishReport?: PhishReportIntake;
  /** Further special addresses, e.g. the privacy mailbox of a tenant (governance, issue 28). */
  mailboxes?: MailboxIntake[];
}): Promise<InboundSmtp> {
  const { email, logger } = opts;
  const maxBytes = opts.maxBytes ?? MAX_MAIL_BYTES;
  const tls =
    opts.tlsCertFile && opts.tlsKeyFile
      ? { cert: readFileSync(opts.tlsCertFile), key: readFileSync(opts.tlsKeyFile) }
      : null;
  const recipients = new WeakMap<SMTPServerSession, Recipient[]>();
  const boxes = [...(opts.phishReport ? [opts.phishReport] : []), ...(opts.mailboxes ?? [])];
  const boxOf = async (address: string) => {
    for (const box of boxes) {
      const owner = await box.tenantFor(address);
      if (owner) return { box, owner };
    }
    return null;
  };
  const special = new WeakMap<SMTPServerSession, Array<{ box: MailboxIntake; owner: string }>>();

  const server = new SMTPServer({
    name: opts.hostname,
    banner: 'Vigil',
    size: maxBytes,
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ? tls : {}),
    maxClients: opts.maxClients ?? 100,
    socketTimeout: 60_000,
    closeTimeout: 5_000,
    logger: false,
    hideSTARTTLS: !tls,
    onRcptTo(address, session, cb) {
      const list = recipients.get(session) ?? [];
      if (list.length >= 20) return cb(smtpError('Too many recipients', 452));
      boxOf(address.address)
        .then(async (hit) => {
          if (hit) {
            special.set(session, [...(special.get(session) ?? []), hit]);
            return cb();
          }
          const r = await email.resolveRecipient(address.address);
          if (!r) return cb(smtpError('No such recipient here', 550));
          list.push(r);
          recipients.set(session, list);
          cb();
        })
        .catch((e) => {
          logger.error({ err: { code: (e as { code?: string }).code } }, 'smtp recipient lookup failed');
          cb(smtpError('Temporary failure, try again later', 451));
        });
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= maxBytes) chunks.push(c);
      });
      stream.on('error', () => {});
      stream.on('end', () => {
        const rcpts = recipients.get(session) ?? [];
        recipients.delete(session);
        const phish = special.get(session) ?? [];
        special.delete(session);
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded || size > maxBytes)
          return cb(smtpError('Message too large', 552));
        const raw = Buffer.concat(chunks);
        const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address || null : null;
        Promise.all(phish.map((h) => h.box.receive(h.owner, envelopeFrom, raw)))
          .then(() =>
            rcpts.length || !phish.length ? deliver(raw, rcpts, envelopeFrom, session.id) : undefined,
          )
          .then(
            () => cb(null, 'Message accepted'),
            (e: unknown) => {
              const code = e instanceof EmailError ? e.smtp : 451;
              logger.warn(
                { sessionId: session.id, code: e instanceof EmailError ? e.code : 'internal', smtp: code },
                'smtp message not accepted',
              );
              cb(smtpError(code === 451 ? 'Temporary failure, try again later' : 'Message refused', code));
            },
          );
      });
    },
  });
  server.on('error', (e) =>
    logger.warn({ err: { code: (e as { code?: string }).code } }, 'smtp connection error'),
  );

  async function deliver(raw: Buffer, rcpts: Recipient[], envelopeFrom: string | null, sessionId: string) {
    if (!rcpts.length) throw new EmailError('no_recipient', 554);
    let mail: Awaited<ReturnType<typeof simpleParser>>;
    try {
      mail = await simpleParser(raw, {
        skipImageLinks: true,
        skipTextToHtml: true,
        maxHtmlLengthToParse: 2_000_000,
      });
    } catch {
      throw new EmailError('unparseable', 554);
    }
    const rawHash = createHash('sha256').update(raw).digest('hex');
    const seen = new Set<string>();
    for (const r of rcpts) {
      // One copy per tenant, even when a message names two of its addresses.
      if (seen.has(r.tenantId)) continue;
      seen.add(r.tenantId);
      const res = await email.receive(mail, r, { rawHash, envelopeFrom, sessionId });
      logger.info(
        {
          tenantId: r.tenantId,
          conversationId: res.conversationId,
          messageId: res.messageId,
          created: res.created,
        },
        'e-mail received',
      );
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
