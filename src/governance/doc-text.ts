// The fixed wording of the governance documents (DPIA and Art. 28 agreement) in German, English
// and French. What the tenant wrote (descriptions, measures, names) stays as written.
import type { DocLocale } from '../platform/documents.ts';

const en = {
  yes: 'yes',
  no: 'no',
  dpia: {
    title: (activity: string) => `Data protection impact assessment: ${activity}`,
    subtitle: (tenant: string, version: number) => `${tenant}, version ${version}`,
    h: {
      processing: 'Processing',
      necessity: 'Necessity and proportionality',
      risks: 'Risks (likelihood × severity)',
      measures: 'Measures',
      controls: 'Linked controls (live state)',
      opinion: 'Opinion and sign-off',
    },
    riskHead: ['risk', 'sources', 'before', 'after'],
    controlHead: ['control', 'state', 'changed since signature'],
    kinds: {
      illegitimate_access: 'illegitimate access',
      unwanted_change: 'unwanted change',
      disappearance: 'disappearance',
    },
    levels: ['', 'negligible', 'limited', 'significant', 'maximum'],
    inEffect: 'in effect',
    notInEffect: 'NOT in effect',
    f: {
      opinion: 'DPO opinion',
      notGiven: 'not yet given',
      signed: 'Signed',
      notSigned: 'not signed',
      reviewDue: 'Review due',
      reviewReason: 'Review reason',
    },
  },
  dpa: {
    title: 'Data-processing agreement (Art. 28 GDPR)',
    subtitle: (controller: string, version: number) => `${controller}, version ${version}`,
    h: {
      subject: 'Subject matter and nature of the processing',
      subProcessors: 'Sub-processors (Art. 28(2), (4))',
      measures: 'Technical and organisational measures (Art. 32), as in effect',
      acceptance: 'Acceptance',
    },
    activityHead: ['activity', 'purposes', 'data categories'],
    subHead: ['name', 'service', 'countries', 'transfer mechanism'],
    measureHead: ['measure', 'in effect', 'state'],
    version: (v: number) => `version ${v}`,
  },
};

export type GovernanceDocText = typeof en;

const de: GovernanceDocText = {
  yes: 'ja',
  no: 'nein',
  dpia: {
    title: (activity) => `Datenschutz-Folgenabschätzung: ${activity}`,
    subtitle: (tenant, version) => `${tenant}, Fassung ${version}`,
    h: {
      processing: 'Verarbeitung',
      necessity: 'Notwendigkeit und Verhältnismäßigkeit',
      risks: 'Risiken (Eintrittswahrscheinlichkeit × Schwere)',
      measures: 'Abhilfemaßnahmen',
      controls: 'Verknüpfte Kontrollen (aktueller Stand)',
      opinion: 'Stellungnahme und Freigabe',
    },
    riskHead: ['Risiko', 'Risikoquellen', 'vorher', 'nachher'],
    controlHead: ['Kontrolle', 'Stand', 'seit Unterzeichnung geändert'],
    kinds: {
      illegitimate_access: 'unrechtmäßiger Zugriff',
      unwanted_change: 'unerwünschte Veränderung',
      disappearance: 'Verlust',
    },
    levels: ['', 'vernachlässigbar', 'begrenzt', 'erheblich', 'maximal'],
    inEffect: 'wirksam',
    notInEffect: 'NICHT wirksam',
    f: {
      opinion: 'Stellungnahme der/des DSB',
      notGiven: 'noch nicht abgegeben',
      signed: 'Unterzeichnet',
      notSigned: 'nicht unterzeichnet',
      reviewDue: 'Überprüfung fällig',
      reviewReason: 'Anlass der Überprüfung',
    },
  },
  dpa: {
    title: 'Auftragsverarbeitungsvertrag (Art. 28 DSGVO)',
    subtitle: (controller, version) => `${controller}, Fassung ${version}`,
    h: {
      subject: 'Gegenstand und Art der Verarbeitung',
      subProcessors: 'Unterauftragsverarbeiter (Art. 28 Abs. 2, 4)',
      measures: 'Technische und organisatorische Maßnahmen (Art. 32), wie wirksam',
      acceptance: 'Annahme',
    },
    activityHead: ['Tätigkeit', 'Zwecke', 'Datenkategorien'],
    subHead: ['Name', 'Leistung', 'Länder', 'Übermittlungsgrundlage'],
    measureHead: ['Maßnahme', 'wirksam', 'Stand'],
    version: (v) => `Fassung ${v}`,
  },
};

const fr: GovernanceDocText = {
  yes: 'oui',
  no: 'non',
  dpia: {
    title: (activity) => `Analyse d'impact relative à la protection des données : ${activity}`,
    subtitle: (tenant, version) => `${tenant}, version ${version}`,
    h: {
      processing: 'Traitement',
      necessity: 'Nécessité et proportionnalité',
      risks: 'Risques (vraisemblance × gravité)',
      measures: 'Mesures prévues',
      controls: 'Contrôles liés (état actuel)',
      opinion: 'Avis et validation',
    },
    riskHead: ['risque', 'sources', 'avant', 'après'],
    controlHead: ['contrôle', 'état', 'modifié depuis la signature'],
    kinds: {
      illegitimate_access: 'accès illégitime',
      unwanted_change: 'modification non désirée',
      disappearance: 'disparition',
    },
    levels: ['', 'négligeable', 'limitée', 'importante', 'maximale'],
    inEffect: 'en vigueur',
    notInEffect: 'PAS en vigueur',
    f: {
      opinion: 'Avis du DPO',
      notGiven: 'pas encore rendu',
      signed: 'Signée',
      notSigned: 'non signée',
      reviewDue: 'Réexamen prévu',
      reviewReason: 'Motif du réexamen',
    },
  },
  dpa: {
    title: 'Contrat de sous-traitance (art. 28 RGPD)',
    subtitle: (controller, version) => `${controller}, version ${version}`,
    h: {
      subject: 'Objet et nature du traitement',
      subProcessors: 'Sous-traitants ultérieurs (art. 28, par. 2 et 4)',
      measures: 'Mesures techniques et organisationnelles (art. 32), telles qu’en vigueur',
      acceptance: 'Acceptation',
    },
    activityHead: ['activité', 'finalités', 'catégories de données'],
    subHead: ['nom', 'service', 'pays', 'mécanisme de transfert'],
    measureHead: ['mesure', 'en vigueur', 'état'],
    version: (v) => `version ${v}`,
  },
};

export const GOVERNANCE_DOC_TEXT: Record<DocLocale, GovernanceDocText> = { de, en, fr };
