// What the customer reads when asked for a rating, in the conversation's language (English when
// it is unknown). Fixed texts: nothing of the conversation or the customer is put into them.
export interface CsatTexts {
  subject: string;
  question: string;
  scale: string;
  mailBody: (link: string) => string;
  thanks: string;
  answered: string;
  expired: string;
  invalid: string;
}

const TEXTS: Record<'en' | 'de' | 'fr', CsatTexts> = {
  en: {
    subject: 'How did we do?',
    question: 'How satisfied are you with the help you received?',
    scale: '1 = very dissatisfied, 5 = very satisfied',
    mailBody: (link) =>
      `Your request has been resolved.\n\nHow satisfied are you with the help you received? Rate us from 1 (very dissatisfied) to 5 (very satisfied):\n${link}\n\nThe link works once and expires in 14 days.`,
    thanks: 'Thank you for your rating.',
    answered: 'This survey has already been answered. Thank you.',
    expired: 'This survey has expired.',
    invalid: 'This survey link is not valid.',
  },
  de: {
    subject: 'Wie zufrieden waren Sie?',
    question: 'Wie zufrieden sind Sie mit der Hilfe, die Sie erhalten haben?',
    scale: '1 = sehr unzufrieden, 5 = sehr zufrieden',
    mailBody: (link) =>
      `Ihr Anliegen wurde erledigt.\n\nWie zufrieden sind Sie mit der Hilfe, die Sie erhalten haben? Bewerten Sie uns von 1 (sehr unzufrieden) bis 5 (sehr zufrieden):\n${link}\n\nDer Link gilt einmal und läuft in 14 Tagen ab.`,
    thanks: 'Vielen Dank für Ihre Bewertung.',
    answered: 'Diese Umfrage wurde bereits beantwortet. Vielen Dank.',
    expired: 'Diese Umfrage ist abgelaufen.',
    invalid: 'Dieser Umfrage-Link ist ungültig.',
  },
  fr: {
    subject: 'Votre avis nous intéresse',
    question: "Êtes-vous satisfait de l'aide que vous avez reçue ?",
    scale: '1 = très insatisfait, 5 = très satisfait',
    mailBody: (link) =>
      `Votre demande a été résolue.\n\nÊtes-vous satisfait de l'aide que vous avez reçue ? Notez-nous de 1 (très insatisfait) à 5 (très satisfait) :\n${link}\n\nLe lien ne fonctionne qu'une fois et expire dans 14 jours.`,
    thanks: 'Merci pour votre évaluation.',
    answered: 'Ce questionnaire a déjà reçu une réponse. Merci.',
    expired: 'Ce questionnaire a expiré.',
    invalid: "Ce lien de questionnaire n'est pas valide.",
  },
};

export type CsatLocale = keyof typeof TEXTS;
export const csatLocale = (language: string | null | undefined): CsatLocale =>
  language === 'de' || language === 'fr' ? language : 'en';
export const csatTexts = (language: string | null | undefined): CsatTexts => TEXTS[csatLocale(language)];
