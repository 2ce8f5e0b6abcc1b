// The one-time code message (e-mail and SMS) in German, English or French: the customer reads it
// in the conversation's language (detected from their first message), English otherwise.
type CodeLocale = 'de' | 'en' | 'fr';

interface CodeText {
  subject: (tenant: string) => string;
  text: (code: string) => string;
}

const TEXTS: Record<CodeLocale, CodeText> = {
  en: {
    subject: (tenant) => `Your verification code for ${tenant}`,
    text: (code) =>
      `Your verification code is ${code}. It is valid for 5 minutes. Never share it with anyone except to confirm your identity in this conversation.`,
  },
  de: {
    subject: (tenant) => `Ihr Bestätigungscode für ${tenant}`,
    text: (code) =>
      `Ihr Bestätigungscode lautet ${code}. Er ist 5 Minuten gültig. Geben Sie ihn niemandem weiter, außer um Ihre Identität in diesem Gespräch zu bestätigen.`,
  },
  fr: {
    subject: (tenant) => `Votre code de vérification pour ${tenant}`,
    text: (code) =>
      `Votre code de vérification est ${code}. Il est valable 5 minutes. Ne le communiquez à personne, sauf pour confirmer votre identité dans cette conversation.`,
  },
};

export const codeText = (language: string | null | undefined): CodeText =>
  TEXTS[language === 'de' || language === 'fr' ? language : 'en'];
