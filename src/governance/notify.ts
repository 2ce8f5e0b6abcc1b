// Change notices by e-mail to a tenant's admins and DPOs over the outbound SMTP relay. The mail
// names the company and the service and the objection deadline; the details sit in the console.
import type { Logger } from 'pino';
import type { MailSender } from '../platform/mail-relay.ts';

type Notice = { name: string; service: string; deadline: string };
/** The notice in the recipient's console language (English for any other). */
export const NOTICE_TEXTS: Record<
  'en' | 'de' | 'fr',
  { subject: string; text: (n: Notice, url: string) => string }
> = {
  en: {
    subject: 'Vigil: sub-processor change notice',
    text: (n, url) =>
      `Sub-processor: ${n.name} (${n.service}).\nYou may object until ${n.deadline}.\nDetails and your decision in the console: ${url}`,
  },
  de: {
    subject: 'Vigil: Änderung bei Unterauftragsverarbeitern',
    text: (n, url) =>
      `Unterauftragsverarbeiter: ${n.name} (${n.service}).\nEinspruch möglich bis ${n.deadline}.\nDetails und Entscheidung in der Konsole: ${url}`,
  },
  fr: {
    subject: 'Vigil : modification des sous-traitants ultérieurs',
    text: (n, url) =>
      `Sous-traitant ultérieur : ${n.name} (${n.service}).\nVous pouvez vous y opposer jusqu'au ${n.deadline}.\nDétails et décision dans la console : ${url}`,
  },
};

export interface NoticeMailer {
  /** Mails the notice to the tenant's admins and DPOs; returns how many were accepted. */
  send(tenantId: string, n: Notice): Promise<number>;
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
        const t = NOTICE_TEXTS[r.locale === 'de' || r.locale === 'fr' ? r.locale : 'en'];
        try {
          await deps.mail.send({ to: r.email, subject: t.subject, text: t.text(n, deps.consoleUrl) });
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
