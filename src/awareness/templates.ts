// Built-in phishing simulation templates (de/en/fr). Each carries the tell-tale signs the landing
// page teaches once someone clicked: what should have given the mail away.
import { escapeHtml } from '../platform/html.ts';
export const TEMPLATE_KEYS = ['parcel', 'password_expiry', 'urgent_refund', 'colleague_chat'] as const;
export type TemplateKey = (typeof TEMPLATE_KEYS)[number];
export const LANGUAGES = ['de', 'en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface PhishTemplate {
  fromName: string;
  subject: string;
  /** Paragraphs before the link. */
  body: string[];
  cta: string;
  /** What gave the mail away, shown on the landing page. */
  redFlags: string[];
}

type Catalogue = Record<TemplateKey, Record<Language, PhishTemplate>>;

export const TEMPLATES: Catalogue = {
  parcel: {
    en: {
      fromName: 'Parcel Service',
      subject: 'Your parcel could not be delivered',
      body: [
        'We tried to deliver your parcel today.',
        'Confirm your address within 24 hours or it is returned.',
      ],
      cta: 'Reschedule delivery',
      redFlags: [
        'You were not expecting a parcel at your work address.',
        'The sender domain does not belong to any carrier.',
        'A 24-hour deadline is there to rush you.',
      ],
    },
    de: {
      fromName: 'Paketdienst',
      subject: 'Ihr Paket konnte nicht zugestellt werden',
      body: [
        'Wir haben heute versucht, Ihr Paket zuzustellen.',
        'Bestätigen Sie Ihre Adresse binnen 24 Stunden, sonst geht es zurück.',
      ],
      cta: 'Zustellung neu planen',
      redFlags: [
        'Sie haben kein Paket an die Arbeitsadresse erwartet.',
        'Die Absenderdomain gehört zu keinem Paketdienst.',
        'Die 24-Stunden-Frist soll Sie hetzen.',
      ],
    },
    fr: {
      fromName: 'Service colis',
      subject: "Votre colis n'a pas pu être livré",
      body: [
        "Nous avons tenté de livrer votre colis aujourd'hui.",
        'Confirmez votre adresse sous 24 heures, sinon il sera retourné.',
      ],
      cta: 'Reprogrammer la livraison',
      redFlags: [
        "Vous n'attendiez pas de colis à votre adresse professionnelle.",
        "Le domaine de l'expéditeur n'appartient à aucun transporteur.",
        'Le délai de 24 heures sert à vous presser.',
      ],
    },
  },
  password_expiry: {
    en: {
      fromName: 'IT Service Desk',
      subject: 'Your password expires today',
      body: [
        'Your password expires in 2 hours.',
        'Keep your current password by confirming it on the portal.',
      ],
      cta: 'Keep my password',
      redFlags: [
        'Vigil never asks you to confirm a password through a link.',
        'The link points to a domain that is not your sign-in page.',
        'Urgency (2 hours) replaces a reason.',
      ],
    },
    de: {
      fromName: 'IT-Service-Desk',
      subject: 'Ihr Passwort läuft heute ab',
      body: [
        'Ihr Passwort läuft in 2 Stunden ab.',
        'Behalten Sie Ihr Passwort, indem Sie es im Portal bestätigen.',
      ],
      cta: 'Passwort behalten',
      redFlags: [
        'Vigil fordert nie auf, ein Passwort über einen Link zu bestätigen.',
        'Der Link führt nicht zu Ihrer Anmeldeseite.',
        'Zeitdruck (2 Stunden) ersetzt eine Begründung.',
      ],
    },
    fr: {
      fromName: 'Support informatique',
      subject: "Votre mot de passe expire aujourd'hui",
      body: ['Votre mot de passe expire dans 2 heures.', 'Conservez-le en le confirmant sur le portail.'],
      cta: 'Conserver mon mot de passe',
      redFlags: [
        'Vigil ne demande jamais de confirmer un mot de passe par un lien.',
        'Le lien ne mène pas à votre page de connexion.',
        "L'urgence (2 heures) remplace une raison.",
      ],
    },
  },
  urgent_refund: {
    en: {
      fromName: 'Customer Accounts',
      subject: 'URGENT: refund to a new bank account',
      body: [
        'A client asks for an immediate refund to a new account.',
        'Please enter the account details in the refund form before noon.',
      ],
      cta: 'Open refund form',
      redFlags: [
        'A change of bank details by mail must always be verified by call-back.',
        'Refunds are handled in the ticket, not through an outside form.',
        'Capitals and a deadline push you to skip verification.',
      ],
    },
    de: {
      fromName: 'Kundenkonten',
      subject: 'DRINGEND: Erstattung auf neues Konto',
      body: [
        'Ein Kunde verlangt die sofortige Erstattung auf ein neues Konto.',
        'Bitte tragen Sie die Kontodaten bis Mittag im Formular ein.',
      ],
      cta: 'Erstattungsformular öffnen',
      redFlags: [
        'Geänderte Bankdaten per Mail sind immer per Rückruf zu prüfen.',
        'Erstattungen laufen über das Ticket, nicht über ein fremdes Formular.',
        'Großbuchstaben und Frist sollen die Prüfung überspringen lassen.',
      ],
    },
    fr: {
      fromName: 'Comptes clients',
      subject: 'URGENT : remboursement sur un nouveau compte',
      body: [
        'Un client demande un remboursement immédiat sur un nouveau compte.',
        'Saisissez les coordonnées bancaires avant midi.',
      ],
      cta: 'Ouvrir le formulaire',
      redFlags: [
        'Un changement de coordonnées bancaires par mail se vérifie toujours par rappel.',
        'Les remboursements passent par le ticket, pas par un formulaire externe.',
        'Les majuscules et le délai poussent à sauter la vérification.',
      ],
    },
  },
  colleague_chat: {
    en: {
      fromName: 'Team Chat',
      subject: 'A colleague sent you a message',
      body: [
        '"Hi, I am locked out and the customer is waiting. Can you sign in for me and send me the code?"',
      ],
      cta: 'Reply in chat',
      redFlags: [
        'Colleagues never need your sign-in or your one-time code.',
        'The chat notification comes from outside your chat tool.',
        'A waiting customer is the pressure, not a reason.',
      ],
    },
    de: {
      fromName: 'Team-Chat',
      subject: 'Eine Kollegin hat Ihnen geschrieben',
      body: [
        '„Hallo, ich bin ausgesperrt und der Kunde wartet. Kannst du dich für mich anmelden und mir den Code schicken?"',
      ],
      cta: 'Im Chat antworten',
      redFlags: [
        'Kolleginnen brauchen nie Ihre Anmeldung oder Ihren Einmalcode.',
        'Die Chat-Benachrichtigung kommt nicht aus Ihrem Chat-Werkzeug.',
        'Der wartende Kunde ist Druck, kein Grund.',
      ],
    },
    fr: {
      fromName: "Chat d'équipe",
      subject: 'Un collègue vous a écrit',
      body: [
        "« Salut, je suis bloqué et le client attend. Peux-tu te connecter pour moi et m'envoyer le code ? »",
      ],
      cta: 'Répondre dans le chat',
      redFlags: [
        "Un collègue n'a jamais besoin de votre connexion ni de votre code à usage unique.",
        'La notification ne vient pas de votre outil de chat.',
        'Le client qui attend est une pression, pas une raison.',
      ],
    },
  },
};

// The one HTML escaper of server-rendered pages; awareness pages and mails use it too.
export { escapeHtml };

/** The simulated mail: plain text and HTML with the recipient's link and tracking pixel. */
export function renderMail(t: PhishTemplate, link: string, pixel: string): { text: string; html: string } {
  const text = `${t.body.join('\n\n')}\n\n${t.cta}: ${link}\n`;
  const paras = t.body.map((p) => `<p>${escapeHtml(p)}</p>`).join('');
  const html = `<!doctype html><html><body>${paras}<p><a href="${escapeHtml(link)}">${escapeHtml(t.cta)}</a></p><img src="${escapeHtml(pixel)}" width="1" height="1" alt=""></body></html>`;
  return { text, html };
}
