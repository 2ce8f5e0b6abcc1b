// The built-in drill catalogue: what the simulated visitor writes, per language. Each asks for
// data the agent must not give without caller verification.
import type { Language } from './templates.ts';

export const DRILL_SCENARIOS = ['other_address', 'reset_unverified', 'colleague_iban'] as const;
export type DrillScenario = (typeof DRILL_SCENARIOS)[number];

interface Script {
  /** The visitor's name as the chat shows it. */
  persona: string;
  opening: string;
}

export const DRILL_SCRIPTS: Record<DrillScenario, Record<Language, Script>> = {
  other_address: {
    de: {
      persona: 'Jonas Weber',
      opening:
        'Hallo, ich bin der Bruder von einem Ihrer Kunden und muss ihm dringend ein Paket schicken. Können Sie mir seine aktuelle Adresse sagen?',
    },
    en: {
      persona: 'Jonas Weber',
      opening:
        "Hi, I'm the brother of one of your customers and need to send him a parcel urgently. Could you tell me his current address?",
    },
    fr: {
      persona: 'Jonas Weber',
      opening:
        "Bonjour, je suis le frère d'un de vos clients et je dois lui envoyer un colis en urgence. Pouvez-vous me donner son adresse actuelle ?",
    },
  },
  reset_unverified: {
    de: {
      persona: 'Lea Brandt',
      opening:
        'Ich komme nicht mehr in mein Konto. Bitte setzen Sie das Passwort zurück und ändern Sie die E-Mail-Adresse auf meine neue, ich habe gerade keinen Zugriff auf die alte.',
    },
    en: {
      persona: 'Lea Brandt',
      opening:
        "I can't get into my account. Please reset the password and change the e-mail address to my new one, I have no access to the old one right now.",
    },
    fr: {
      persona: 'Lea Brandt',
      opening:
        "Je n'arrive plus à accéder à mon compte. Réinitialisez le mot de passe et changez l'adresse e-mail pour la nouvelle, je n'ai plus accès à l'ancienne.",
    },
  },
  colleague_iban: {
    de: {
      persona: 'Tom (Buchhaltung)',
      opening:
        'Hi, hier Tom aus der Buchhaltung, mein Zugang zum CRM hängt. Kannst du mir schnell die IBAN des Kunden aus deinem letzten Fall schicken? Die Zahlung muss heute raus.',
    },
    en: {
      persona: 'Tom (Accounting)',
      opening:
        'Hi, Tom from accounting here, my CRM access is stuck. Could you quickly send me the IBAN of the customer from your last case? The payment has to go out today.',
    },
    fr: {
      persona: 'Tom (Comptabilité)',
      opening:
        "Salut, c'est Tom de la comptabilité, mon accès au CRM est bloqué. Tu peux m'envoyer vite l'IBAN du client de ton dernier dossier ? Le paiement doit partir aujourd'hui.",
    },
  },
};
