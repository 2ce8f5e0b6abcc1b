// What the DSAR intake tells people, in German, English and French: one-time codes (e-mail or
// SMS), the receipt of a mailed request with its status link, status changes for the requester
// and deadline reminders for the DPO. No message carries personal data beyond the request's type,
// its state and its dates; the status token only ever travels in the fragment of the link.

import { preferredLocale } from '../platform/documents.ts';
import type { MailSender } from '../platform/mail-relay.ts';

export type Locale = 'de' | 'en' | 'fr';
export const LOCALES: readonly Locale[] = ['de', 'en', 'fr'];

/** Where SMS go (src/verification's webhook gateway, handed in by the composition root). */
export interface SmsSender {
  send(m: { to: string; text: string }): Promise<void>;
}

/** The states a requester can see, and hear about. */
export type PublicState = 'unverified' | 'verified' | 'in_effect' | 'fulfilled' | 'completed' | 'rejected';

type Text = Record<Locale, string>;
const TYPE_NAMES: Record<string, Text> = {
  access: { de: 'Auskunft', en: 'access', fr: 'accès' },
  rectification: { de: 'Berichtigung', en: 'rectification', fr: 'rectification' },
  erasure: { de: 'Löschung', en: 'erasure', fr: 'effacement' },
  restriction: { de: 'Einschränkung der Verarbeitung', en: 'restriction', fr: 'limitation' },
  objection: { de: 'Widerspruch', en: 'objection', fr: 'opposition' },
};
const STATE_TEXT: Record<Exclude<PublicState, 'unverified'>, Text> = {
  verified: {
    de: 'Ihre Anfrage ist bestätigt und in Bearbeitung.',
    en: 'Your request is confirmed and being handled.',
    fr: 'Votre demande est confirmée et en cours de traitement.',
  },
  in_effect: {
    de: 'Die Verarbeitung Ihrer Daten ist eingeschränkt.',
    en: 'The processing of your data is restricted.',
    fr: 'Le traitement de vos données est limité.',
  },
  fulfilled: {
    de: 'Ihre Daten stehen zum Herunterladen bereit.',
    en: 'Your data is ready to download.',
    fr: 'Vos données sont prêtes à être téléchargées.',
  },
  completed: {
    de: 'Ihre Anfrage ist erledigt.',
    en: 'Your request has been completed.',
    fr: 'Votre demande a été traitée.',
  },
  rejected: {
    de: 'Ihre Anfrage wurde abgelehnt. Sie können sich bei der Aufsichtsbehörde beschweren.',
    en: 'Your request was declined. You may lodge a complaint with a supervisory authority.',
    fr: "Votre demande a été refusée. Vous pouvez introduire une réclamation auprès d'une autorité de contrôle.",
  },
};
const T = {
  codeSubject: {
    de: 'Ihre Datenschutzanfrage: Code',
    en: 'Your privacy request: code',
    fr: 'Votre demande de confidentialité : code',
  },
  code: {
    de: 'Ihr Code: {code}\nEr gilt 15 Minuten. Wenn Sie keine Datenschutzanfrage gestellt haben, ignorieren Sie diese Nachricht.',
    en: 'Your code: {code}\nIt is valid for 15 minutes. If you did not file a privacy request, ignore this message.',
    fr: "Votre code : {code}\nIl est valable 15 minutes. Si vous n'avez pas fait de demande, ignorez ce message.",
  },
  receiptSubject: {
    de: 'Ihre Datenschutzanfrage bei {tenant}',
    en: 'Your privacy request to {tenant}',
    fr: 'Votre demande de confidentialité auprès de {tenant}',
  },
  receipt: {
    de: 'Wir haben Ihre Anfrage ({type}) erhalten. Ist Ihre Adresse bei uns hinterlegt, erhalten Sie gleich einen Code zur Bestätigung.\nStatus und Code-Eingabe: {link}\nBewahren Sie diesen Link auf; er ist Ihr Zugang zur Anfrage.',
    en: 'We received your request ({type}). If your address is on file with us, a confirmation code follows shortly.\nStatus and code entry: {link}\nKeep this link; it is your access to the request.',
    fr: 'Nous avons reçu votre demande ({type}). Si votre adresse figure dans nos fichiers, un code de confirmation suit.\nStatut et saisie du code : {link}\nConservez ce lien ; il donne accès à votre demande.',
  },
  statusSubject: {
    de: 'Ihre Datenschutzanfrage: neuer Stand',
    en: 'Your privacy request: status update',
    fr: 'Votre demande de confidentialité : nouveau statut',
  },
  status: {
    de: '{state}\nArt der Anfrage: {type}. Frist: {due}.\nDetails über den Status-Link, den Sie beim Einreichen erhalten haben.',
    en: '{state}\nType of request: {type}. Deadline: {due}.\nDetails through the status link you received when filing.',
    fr: '{state}\nType de demande : {type}. Échéance : {due}.\nDétails via le lien de statut reçu lors du dépôt.',
  },
  extended: {
    de: 'Die Frist wurde nach Art. 12 Abs. 3 DSGVO verlängert.',
    en: 'The deadline was extended under Art. 12(3) GDPR.',
    fr: "Le délai a été prolongé en vertu de l'art. 12, par. 3, du RGPD.",
  },
} satisfies Record<string, Text>;

const fill = (s: string, v: Record<string, string>) => s.replace(/\{(\w+)\}/g, (_, k: string) => v[k] ?? '');
const day = (iso: string) => iso.slice(0, 10);

export function createDsarMessages(deps: { mail: MailSender | undefined; sms: SmsSender | undefined }) {
  return {
    /** A one-time code to the e-mail address or the phone on file. */
    async code(channel: 'email' | 'sms', to: string, code: string, locale: Locale) {
      const text = fill(T.code[locale], { code });
      if (channel === 'sms') await deps.sms?.send({ to, text });
      else await deps.mail?.send({ to, subject: T.codeSubject[locale], text });
    },
    /** The receipt of a request that came by e-mail, with the status link (token in the fragment). */
    async receipt(to: string, p: { tenant: string; type: string; link: string; locale: Locale }) {
      await deps.mail?.send({
        to,
        subject: fill(T.receiptSubject[p.locale], { tenant: p.tenant }),
        text: fill(T.receipt[p.locale], { type: TYPE_NAMES[p.type]![p.locale], link: p.link }),
      });
    },
    /** A changed status for the requester: state, type and deadline, nothing else. */
    async status(
      to: string,
      p: {
        state: Exclude<PublicState, 'unverified'>;
        extended: boolean;
        type: string;
        dueAt: string;
        locale: Locale;
      },
    ) {
      const state = `${STATE_TEXT[p.state][p.locale]}${p.extended && p.state === 'verified' ? ` ${T.extended[p.locale]}` : ''}`;
      await deps.mail?.send({
        to,
        subject: T.statusSubject[p.locale],
        text: fill(T.status[p.locale], { state, type: TYPE_NAMES[p.type]![p.locale], due: day(p.dueAt) }),
      });
    },
    /** The DPO's reminder, in the DPO's console language: how many, never who. */
    async dpoReminder(to: string, n: number, days: number, locale: string | null = null) {
      const l = pickLocale(undefined, locale ?? undefined);
      await deps.mail?.send({
        to,
        subject: REMINDER[l].subject,
        text: fill(REMINDER[l].text, { n: String(n), days: String(days) }),
      });
    },
  };
}

export type DsarMessages = ReturnType<typeof createDsarMessages>;

const REMINDER: Record<Locale, { subject: string; text: string }> = {
  en: {
    subject: 'Vigil: privacy requests due soon',
    text: '{n} privacy request(s) are due within {days} days. See the governance page of the console.',
  },
  de: {
    subject: 'Vigil: Datenschutzanfragen bald fällig',
    text: '{n} Datenschutzanfrage(n) sind innerhalb von {days} Tagen fällig. Siehe die Governance-Seite der Konsole.',
  },
  fr: {
    subject: 'Vigil : demandes de protection des données bientôt dues',
    text: '{n} demande(s) de protection des données arrivent à échéance dans les {days} jours. Voir la page gouvernance de la console.',
  },
};

/** The first of de/en/fr an Accept-Language header names (by quality), else English. */
export const pickLocale = (header: string | undefined, explicit?: string): Locale =>
  preferredLocale(header, explicit);
