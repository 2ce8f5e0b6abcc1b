// A real SMTP server on a loopback port that keeps what it receives (parsed), for tests of mail
// Vigil sends through SMTP_RELAY_URL. `reply` makes the next recipients fail with a code
// (4xx: the relay defers, 5xx: it bounces), as a relay would answer.
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink {
  url: string;
  received: ParsedMail[];
  /** When set, RCPT TO is answered with this code (e.g. 451, 550). */
  reply: number | null;
  /** Resolves with the first received mail for which `match` is true. */
  next(match: (m: ParsedMail) => boolean, timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const waiters = new Set<() => void>();
  const sink = { received: [] as ParsedMail[], reply: null as number | null } as SmtpSink;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(_a, _s, cb) {
      if (sink.reply)
        return cb(Object.assign(new Error(`refused ${sink.reply}`), { responseCode: sink.reply }));
      cb();
    },
    onData(stream, _s, cb) {
      simpleParser(stream).then(
        (m) => {
          sink.received.push(m);
          for (const w of waiters) w();
          cb();
        },
        (e: Error) => cb(e),
      );
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  sink.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  sink.next = (match, timeoutMs = 15_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const m = sink.received.find(match);
        if (!m) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(m);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error('no matching mail arrived'));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  sink.close = () => new Promise<void>((r) => server.close(() => r()));
  return sink;
}
