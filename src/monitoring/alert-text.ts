// The alert e-mail in German, English or French: each recipient reads it in the console language
// stored on their account (English for addresses that are no member's). Ids, counts and the
// rule's fixed title only, as in every language.
import { RULE_TITLES } from './rules.ts';
import type { RuleId, Severity } from './types.ts';

export type AlertLocale = 'de' | 'en' | 'fr';

interface AlertText {
  titles: Readonly<Record<RuleId, string>>;
  severity: Record<Severity, string>;
  alert: string;
  rule: string;
  severityLabel: string;
  observed: (observed: number, threshold: number, seconds: number) => string;
  response: string;
  /** French sets a space before the colon. */
  colon: string;
}

const DE_TITLES: Record<RuleId, string> = {
  view_volume: 'Datensatzaufrufe weit über dem bearbeiteten Aufkommen',
  view_burst: 'Häufung von Aufrufen von Kundenprofilen',
  out_of_scope: 'Wiederholte Zugriffsversuche außerhalb der zugewiesenen Warteschlangen oder des Mandanten',
  off_shift: 'Datenzugriff außerhalb der geplanten Schicht',
  new_device: 'Sitzung von einem neuen Gerät oder Netz',
  concurrent_sessions: 'Viele gleichzeitige Sitzungen',
  reveal_rate: 'Hohe Rate aufgedeckter maskierter Werte',
  reveal_unassigned: 'Maskierter Wert außerhalb eines zugewiesenen Gesprächs aufgedeckt',
  bulk_export: 'Großes Exportvolumen',
  bulk_read: 'Viele verschiedene Kunden in kurzer Zeit gelesen',
  failed_login_account: 'Häufung fehlgeschlagener Anmeldungen oder MFA-Codes für ein Konto',
  failed_login_ip: 'Häufung fehlgeschlagener Anmeldungen oder MFA-Codes aus einem Netz',
  permission_change_off_window: 'Rechteänderung außerhalb des Änderungsfensters',
  self_grant: 'Benutzer hat sich selbst eine Rolle vergeben',
  cockpit_tamper: 'Cockpit-Erweiterung während einer laufenden Sitzung entfernt, deaktiviert oder stumm',
  cockpit_blocked_probing: 'Wiederholt blockierte Pfade in Kundenwerkzeugen',
  cockpit_mass_viewing: 'Sehr viele Seiten in Kundenwerkzeugen aufgerufen',
  cockpit_foreign_tool: 'Kundenwerkzeug eines Mandanten, für den die Person nicht arbeitet',
  access_policy_denied: 'Wiederholt durch Netz-, Geräte- oder Schulungsrichtlinie abgewiesene Anfragen',
  verification_locked: 'Anruferprüfung nach wiederholt falschen Antworten gesperrt',
  verification_failures: 'Viele fehlgeschlagene Anruferprüfungen durch einen Benutzer',
  payment_declines: 'Viele abgelehnte Kartenzahlungen aus einem Netz',
  malware_detected: 'Eingehende Datei in Quarantäne (Schadsoftware oder getarnter Inhalt)',
  file_scanner_down: 'Virenscanner nicht erreichbar: eingehende Dateien warten ungeprüft',
  phishing_reported:
    'Verdächtige E-Mail von Mitarbeitenden gemeldet (verschlüsselt für die Sicherheitsrolle)',
  sla_breach: 'Service-Level verfehlt: ein Gespräch wartete länger, als seine Warteschlange erlaubt',
};

const FR_TITLES: Record<RuleId, string> = {
  view_volume: 'Consultations de fiches très au-delà de la charge traitée',
  view_burst: 'Rafale de consultations de profils clients',
  out_of_scope: "Tentatives d'accès répétées hors des files attribuées ou du locataire",
  off_shift: 'Accès aux données en dehors du créneau de travail prévu',
  new_device: 'Session depuis un nouvel appareil ou un nouveau réseau',
  concurrent_sessions: 'Nombreuses sessions simultanées',
  reveal_rate: 'Taux élevé de valeurs masquées révélées',
  reveal_unassigned: 'Valeur masquée révélée hors d’une conversation attribuée',
  bulk_export: "Volume d'export important",
  bulk_read: 'Nombreux clients distincts consultés en peu de temps',
  failed_login_account: 'Rafale de connexions ou de codes MFA échoués pour un compte',
  failed_login_ip: 'Rafale de connexions ou de codes MFA échoués depuis un réseau',
  permission_change_off_window: 'Modification de droits hors de la fenêtre de changement',
  self_grant: "Utilisateur s'étant attribué un rôle à lui-même",
  cockpit_tamper: 'Extension cockpit supprimée, désactivée ou muette pendant une session en cours',
  cockpit_blocked_probing: 'Chemins bloqués répétés dans les outils clients',
  cockpit_mass_viewing: "Très nombreuses pages d'outils clients consultées",
  cockpit_foreign_tool: "Outil client d'un locataire pour lequel l'agent ne travaille pas",
  access_policy_denied: 'Requêtes refusées à répétition par la règle réseau, appareil ou formation',
  verification_locked: "Vérification de l'appelant bloquée après des réponses erronées répétées",
  verification_failures: "Nombreuses vérifications d'appelant échouées par un utilisateur",
  payment_declines: 'Nombreux paiements par carte refusés depuis un réseau',
  malware_detected: 'Fichier entrant en quarantaine (logiciel malveillant ou contenu déguisé)',
  file_scanner_down: 'Antivirus injoignable : les fichiers entrants attendent sans analyse',
  phishing_reported: 'Courriel suspect signalé par le personnel (conservé chiffré pour le rôle sécurité)',
  sla_breach: 'Niveau de service manqué : une conversation a attendu plus longtemps que sa file ne le permet',
};

export const ALERT_TEXT: Record<AlertLocale, AlertText> = {
  en: {
    titles: RULE_TITLES,
    severity: { low: 'low', medium: 'medium', high: 'high', critical: 'critical' },
    alert: 'Alert',
    rule: 'Rule',
    severityLabel: 'Severity',
    observed: (o, t, s) => `Observed: ${o} (threshold ${t} in ${s}s)`,
    response: 'Response',
    colon: ': ',
  },
  de: {
    titles: DE_TITLES,
    severity: { low: 'niedrig', medium: 'mittel', high: 'hoch', critical: 'kritisch' },
    alert: 'Alarm',
    rule: 'Regel',
    severityLabel: 'Schweregrad',
    observed: (o, t, s) => `Beobachtet: ${o} (Schwelle ${t} in ${s} s)`,
    response: 'Reaktion',
    colon: ': ',
  },
  fr: {
    titles: FR_TITLES,
    severity: { low: 'faible', medium: 'moyenne', high: 'élevée', critical: 'critique' },
    alert: 'Alerte',
    rule: 'Règle',
    severityLabel: 'Gravité',
    observed: (o, t, s) => `Observé\u00a0: ${o} (seuil ${t} en ${s}\u00a0s)`,
    response: 'Réponse',
    colon: '\u00a0: ',
  },
};

export const alertLocale = (locale: string | null | undefined): AlertLocale =>
  locale === 'de' || locale === 'fr' ? locale : 'en';
