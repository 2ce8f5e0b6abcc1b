// Change notices by e-mail to a tenant's admins and DPOs over the outbound SMTP relay. The mail
// names the company and the service and the objection deadline; the details sit in the console.
import type { Logger } from 'pino';
import type { MailSender } from '../platform/mail-relay.ts';

export interface NoticeMailer {
  /** Mails the notice to the tenant's admins and DPOs; returns how many were accepted. */
  send(tenantId: string, n: { name: string; service: string; deadline: string }): Promise<number>;
}

export function createNoticeMailer(deps: {
  mail: MailSender | undefined;
  recipients: (tenantId: string) => Promise<Array<{ email: string; locale: string }>>;
  consoleUrl: string;
  logger?: Pick<Logger, 'warn'>;
}): NoticeMailer {
  return {
    async send(tenantId, n) {
      if (!deps.mail) return 0;
      let sent = 0;
      for (const r of await deps.recipients(tenantId)) {
        const de = r.locale === 'de';
        try {
          await deps.mail.send({
            to: r.email,
            subject: de
              ? 'Vigil: Änderung bei Unterauftragsverarbeitern'
              : 'Vigil: sub-processor change notice',
            text: de
              ? `Unterauftragsverarbeiter: ${n.name} (${n.service}).\nEinspruch möglich bis ${n.deadline}.\nDetails und Entscheidung in der Konsole: ${deps.consoleUrl}`
              : `Sub-processor: ${n.name} (${n.service}).\nYou may object until ${n.deadline}.\nDetails and your decision in the console: ${deps.consoleUrl}`,
          });
          sent++;
        } catch (e) {
          // No address in the log: the tenant and the error code are enough to follow up.
          deps.logger?.warn(
            { tenantId, code: (e as { code?: string }).code ?? 'send_failed' },
            'notice mail failed',
          );
        }
      }
      return sent;
    },
  };
}
