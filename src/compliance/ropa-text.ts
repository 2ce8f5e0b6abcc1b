// The fixed wording of the Art. 30 record in German, English and French. The record's content
// (controller, activities, measures) is the tenant's and stays as written.
import type { DocLocale } from '../platform/documents.ts';

const en = {
  title: 'Record of processing activities (Art. 30 GDPR)',
  subtitle: (controller: string, version: number, source: string) =>
    `Controller: ${controller} - version ${version} (${source})`,
  none: 'none',
  notSpecified: 'not specified',
  h: {
    parties: 'Controller and processor',
    security: 'General security measures (Art. 32)',
  },
  activity: (name: string) => `Processing activity: ${name}`,
  f: {
    controller: 'Controller',
    contact: 'Controller contact',
    dpo: 'Data protection officer',
    processor: 'Processor',
    purposes: 'Purposes',
    legalBasis: 'Legal basis',
    dataCategories: 'Categories of personal data',
    subjectCategories: 'Categories of data subjects',
    recipients: 'Recipients',
    transfers: 'Transfers to third countries',
    erasure: 'Time limits for erasure',
    measures: 'Technical and organisational measures',
  },
};

export type RopaText = typeof en;

const de: RopaText = {
  title: 'Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO)',
  subtitle: (controller, version, source) =>
    `Verantwortlicher: ${controller} - Fassung ${version} (${source})`,
  none: 'keine',
  notSpecified: 'nicht angegeben',
  h: {
    parties: 'Verantwortlicher und Auftragsverarbeiter',
    security: 'Allgemeine Sicherheitsmaßnahmen (Art. 32)',
  },
  activity: (name) => `Verarbeitungstätigkeit: ${name}`,
  f: {
    controller: 'Verantwortlicher',
    contact: 'Kontakt des Verantwortlichen',
    dpo: 'Datenschutzbeauftragte(r)',
    processor: 'Auftragsverarbeiter',
    purposes: 'Zwecke',
    legalBasis: 'Rechtsgrundlage',
    dataCategories: 'Kategorien personenbezogener Daten',
    subjectCategories: 'Kategorien betroffener Personen',
    recipients: 'Empfänger',
    transfers: 'Übermittlungen in Drittländer',
    erasure: 'Löschfristen',
    measures: 'Technische und organisatorische Maßnahmen',
  },
};

const fr: RopaText = {
  title: 'Registre des activités de traitement (art. 30 RGPD)',
  subtitle: (controller, version, source) =>
    `Responsable du traitement : ${controller} - version ${version} (${source})`,
  none: 'aucun',
  notSpecified: 'non précisé',
  h: {
    parties: 'Responsable du traitement et sous-traitant',
    security: 'Mesures de sécurité générales (art. 32)',
  },
  activity: (name) => `Activité de traitement : ${name}`,
  f: {
    controller: 'Responsable du traitement',
    contact: 'Contact du responsable',
    dpo: 'Délégué à la protection des données',
    processor: 'Sous-traitant',
    purposes: 'Finalités',
    legalBasis: 'Base juridique',
    dataCategories: 'Catégories de données personnelles',
    subjectCategories: 'Catégories de personnes concernées',
    recipients: 'Destinataires',
    transfers: 'Transferts vers des pays tiers',
    erasure: "Délais d'effacement",
    measures: 'Mesures techniques et organisationnelles',
  },
};

export const ROPA_TEXT: Record<DocLocale, RopaText> = { de, en, fr };
