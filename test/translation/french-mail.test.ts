// Outbound notifications in French (issue 29): the sub-processor change notice goes to each
// recipient in their console language, over a real SMTP relay to a real SMTP server; French
// recipients read French, German German, anyone else English.
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNoticeMailer } from '../../src/governance/notify.ts';
import { createRelayMailSender } from '../../src/platform/mail-relay.ts';
import { waitFor } from '../helpers/wait.ts';

describe('notices in the recipient language', () => {
  const received: ParsedMail[] = [];
  let server: SMTPServer;
  let port: number;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onData(stream, _s, cb) {
        simpleParser(stream).then((m) => {
          received.push(m);
          cb();
        }, cb);
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends French, German and English notices', async () => {
    const mailer = createNoticeMailer({
      mail: createRelayMailSender(`smtp://127.0.0.1:${port}`, 'no-reply@vigil.test'),
      recipients: async () => [
        { email: 'dpo.fr@example.test', locale: 'fr' },
        { email: 'dpo.de@example.test', locale: 'de' },
        { email: 'admin.en@example.test', locale: 'en' },
      ],
      consoleUrl: 'https://vigil.example',
    });
    const sent = await mailer.send('t', {
      name: 'Acme Speech SAS',
      service: 'transcription',
      deadline: '2026-12-20',
    });
    expect(sent).toBe(3);
    await waitFor('three mails', () => received.length === 3);
    const to = (a: string) => received.find((m) => (m.to as { text: string }).text.includes(a))!;
    expect(to('dpo.fr').subject).toBe('Vigil : modification des sous-traitants ultérieurs');
    expect(to('dpo.fr').text).toContain("Vous pouvez vous y opposer jusqu'au 2026-12-20");
    expect(to('dpo.de').subject).toBe('Vigil: Änderung bei Unterauftragsverarbeitern');
    expect(to('admin.en').subject).toBe('Vigil: sub-processor change notice');
  });
});
