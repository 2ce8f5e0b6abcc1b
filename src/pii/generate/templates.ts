import type { Lang } from '../types.ts';

// Sentence templates for generated support messages. {PLACEHOLDER}s are filled by generate.ts;
// those mapped to an entity type are labelled, the rest ({ORDER}, {PRICE}, ...) are hard negatives.

export const PII_SENTENCES: Record<Lang, readonly string[]> = {
  de: [
    'Bitte buchen Sie den Betrag von meiner Kreditkarte {CARD} ab.',
    'Meine Karte {CARD} ist gültig bis {EXP}, die Prüfnummer ist {CVV}.',
    'Kartennummer: {CARD}, Ablaufdatum {EXP}',
    'Bitte erstatten Sie das Geld auf mein Konto, IBAN {IBAN}.',
    'Meine neue Bankverbindung: IBAN {IBAN}, BIC {BIC}',
    'Sie erreichen mich unter {PHONE}.',
    'Rückruf bitte an {PHONE}, ab 16 Uhr.',
    'Meine E-Mail-Adresse lautet {EMAIL}.',
    'Schreiben Sie mir an {EMAIL}, danke.',
    'Der Login kam von der IP {IP}, das war nicht ich.',
    'Meine Steuer-ID ist {TAXID}.',
    'Für die Abrechnung: Rentenversicherungsnummer {PENSION}.',
    'Die Nummer meines Personalausweises ist {IDCARD}.',
    'Reisepassnummer: {PASSPORT}',
    'Unsere USt-IdNr. lautet {VAT}.',
    'Ich bin am {DOB} geboren.',
    'Geburtsdatum: {DOB}',
    'Bitte an folgende Adresse liefern: {ADDRESS}.',
    'Meine neue Anschrift ist {ADDRESS}.',
    'Mein Passwort ist {PASSWORD} – bitte ändern Sie es.',
    'Die PIN lautet {PIN}.',
    'Hier ist mein API-Token: {APIKEY}',
    'Mein Name ist {NAME}.',
    'Sehr geehrte Frau {LAST},',
    'Guten Tag Herr {LAST}, danke für Ihre Nachricht.',
  ],
  en: [
    'Please charge my credit card {CARD}.',
    'Card number {CARD}, expiry {EXP}, CVV {CVV}.',
    'My card {CARD} expires {EXP}.',
    'Please refund to my account, IBAN {IBAN}.',
    'Bank details: IBAN {IBAN}, BIC {BIC}',
    'You can reach me on {PHONE}.',
    'Please call me back at {PHONE} after 4pm.',
    'My email address is {EMAIL}.',
    'Send the receipt to {EMAIL} please.',
    'The login came from IP {IP}, that was not me.',
    'My National Insurance number is {NINO}.',
    'SSN: {SSN}',
    'My social security number is {SSN}.',
    'Passport number {PASSPORT}',
    'My date of birth is {DOB}.',
    'I was born on {DOB}.',
    'Please ship it to {ADDRESS}.',
    'My new address is {ADDRESS}.',
    'My password is {PASSWORD}, please reset it.',
    'The PIN is {PIN}.',
    'Here is our API key: {APIKEY}',
    'My name is {NAME}.',
    'Dear Mr {LAST},',
    'Hello Mrs {LAST}, thanks for your help.',
  ],
  fr: [
    'Veuillez débiter ma carte bancaire {CARD}.',
    'Numéro de carte {CARD}, date d\'expiration {EXP}, cryptogramme {CVV}.',
    'Merci de rembourser sur mon compte, IBAN {IBAN}.',
    'Mes coordonnées bancaires : IBAN {IBAN}, BIC {BIC}',
    'Vous pouvez me joindre au {PHONE}.',
    'Rappelez-moi au {PHONE} s\'il vous plaît.',
    'Mon adresse e-mail est {EMAIL}.',
    'Écrivez-moi à {EMAIL}.',
    'La connexion venait de l\'adresse IP {IP}.',
    'Mon numéro de sécurité sociale est {NIR}.',
    'Numéro de TVA intracommunautaire : {VAT}',
    'Je suis né le {DOB}.',
    'Date de naissance : {DOB}',
    'Merci de livrer à l\'adresse suivante : {ADDRESS}.',
    'Ma nouvelle adresse est {ADDRESS}.',
    'Mon mot de passe est {PASSWORD}, pouvez-vous le réinitialiser ?',
    'Le code PIN est {PIN}.',
    'Voici la clé API : {APIKEY}',
    'Je m\'appelle {NAME}.',
    'Bonjour Madame {LAST},',
    'Merci Monsieur {LAST} pour votre retour.',
  ],
};

export const NEGATIVE_SENTENCES: Record<Lang, readonly string[]> = {
  de: [
    'Meine Bestellnummer ist {ORDER}.',
    'Die Sendungsnummer lautet {TRACKING}.',
    'Das Paket {TRACKING} ist noch nicht angekommen.',
    'Ich habe {PRICE} bezahlt, aber nur {QTY} Artikel erhalten.',
    'Die Lieferung war für den {DATE} angekündigt.',
    'Artikelnummer {PRODUCT}, Größe M.',
    'Es geht um die Rechnung {INVOICE} vom {DATE}.',
    'Die Kartennummer {BADCARD} wurde abgelehnt, ist wohl falsch.',
    'Die IBAN {BADIBAN} ist ungültig, ich schicke die richtige.',
    'Der Termin ist am {DATE} um {TIME} Uhr.',
    'Ihre Kundennummer {ORDER} habe ich notiert.',
  ],
  en: [
    'My order number is {ORDER}.',
    'The tracking number is {TRACKING}.',
    'Parcel {TRACKING} has not arrived yet.',
    'I paid {PRICE} but only received {QTY} items.',
    'Delivery was scheduled for {DATE}.',
    'Product code {PRODUCT}, size M.',
    'This is about invoice {INVOICE} from {DATE}.',
    'The card number {BADCARD} was declined, I must have mistyped it.',
    'That IBAN {BADIBAN} seems wrong, I will send the right one.',
    'The appointment is on {DATE} at {TIME}.',
  ],
  fr: [
    'Mon numéro de commande est {ORDER}.',
    'Le numéro de suivi est {TRACKING}.',
    'Le colis {TRACKING} n\'est toujours pas arrivé.',
    'J\'ai payé {PRICE} mais je n\'ai reçu que {QTY} articles.',
    'La livraison était prévue le {DATE}.',
    'Référence produit {PRODUCT}, taille M.',
    'Il s\'agit de la facture {INVOICE} du {DATE}.',
    'Le numéro de carte {BADCARD} a été refusé, je me suis trompé.',
    'Le rendez-vous est le {DATE} à {TIME}.',
  ],
};

export const NEUTRAL_SENTENCES: Record<Lang, readonly string[]> = {
  de: [
    'Hallo,', 'Guten Tag,', 'Vielen Dank für die schnelle Antwort.', 'Wann kommt mein Paket?', 'Das Gerät ist beim Auspacken kaputt gegangen.',
    'Kann ich die Bestellung noch stornieren?', 'Ich warte seit zwei Wochen auf eine Rückmeldung.', 'Bitte um kurze Bestätigung.',
  ],
  en: [
    'Hi,', 'Hello,', 'Thanks for the quick reply.', 'When will my parcel arrive?', 'The device broke while unpacking.',
    'Can I still cancel the order?', 'I have been waiting two weeks for an answer.', 'Please confirm briefly.',
  ],
  fr: [
    'Bonjour,', 'Merci pour votre réponse rapide.', 'Quand mon colis arrivera-t-il ?', "L'appareil s'est cassé au déballage.",
    'Puis-je encore annuler la commande ?', "J'attends une réponse depuis deux semaines.", 'Merci de confirmer.',
  ],
};

export const SIGNATURES: Record<Lang, readonly string[]> = {
  de: ['Viele Grüße\n{NAME}', 'Mit freundlichen Grüßen\n{NAME}', 'Beste Grüße, {NAME}'],
  en: ['Best regards,\n{NAME}', 'Kind regards, {NAME}', 'Thanks,\n{NAME}'],
  fr: ['Cordialement,\n{NAME}', 'Bien à vous,\n{NAME}', 'Cordialement, {NAME}'],
};

export const VOICE_SENTENCES: Record<Lang, readonly string[]> = {
  de: [
    'Kunde: Ja, also meine Kartennummer ist {SCARD}.',
    'Kunde: Die IBAN ist {SIBAN}.',
    'Kunde: Sie erreichen mich unter {SPHONE}.',
    'Kunde: Meine Steuer-ID ist {STAXID}.',
    'Agent: Können Sie das bitte wiederholen? Kunde: Klar, {SCARD}.',
  ],
  en: [
    'Caller: Sure, the card number is {SCARD}.',
    'Caller: My IBAN is {SIBAN}.',
    'Caller: You can call me back on {SPHONE}.',
    'Agent: Could you repeat that? Caller: Yes, {SCARD}.',
  ],
  fr: [
    'Client : Oui, le numéro de carte est {SCARD}.',
    'Client : Mon IBAN est {SIBAN}.',
    'Client : Vous pouvez me rappeler au {SPHONE}.',
  ],
};

export const VOICE_NEUTRAL: Record<Lang, readonly string[]> = {
  de: ['Agent: Guten Tag, wie kann ich helfen?', 'Kunde: Ich habe eine Frage zu meiner Rechnung.', 'Agent: Einen Moment bitte.'],
  en: ['Agent: Hello, how can I help?', 'Caller: I have a question about my bill.', 'Agent: One moment please.'],
  fr: ['Agent : Bonjour, comment puis-je vous aider ?', "Client : J'ai une question sur ma facture.", 'Agent : Un instant, s\'il vous plaît.'],
};
