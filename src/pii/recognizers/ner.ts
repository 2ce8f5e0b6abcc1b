import { GAZ_CITY, GAZ_FIRST, GAZ_LAST, GAZ_TITLE, type Gazetteer } from '../ner/gazetteer.ts';
import { loadNer, tagSentence } from '../ner/model.ts';
import { segments, tokenize } from '../ner/tokens.ts';
import type { EntityType, Recognizer, Span } from '../types.ts';

// The statistical recogniser: person, location and organisation spans from the trained model, with the
// model's confidence as score. They enter the same overlap resolution as the rule-based spans, so a
// salutation or known-customer match (higher score) or a full postal address (longer) wins over it.

const TYPE: Record<'PER' | 'LOC' | 'ORG', EntityType> = {
  PER: 'PERSON',
  LOC: 'LOCATION',
  ORG: 'ORGANIZATION',
};

/** The model's confidence is spread over [0.3, 0.9]: below the checksum- and cue-backed recognisers. */
function scoreOf(confidence: number): number {
  return Math.round((0.3 + 0.6 * confidence) * 1000) / 1000;
}

// Ids and codes ("A583358543") belong to the rule-based recognisers; a name or place has no digits.
const HAS_DIGIT = /\p{N}/u;
// Words the model sometimes takes for a name in all-caps or sentence-initial position.
const NEVER_ALONE = new Set([
  'iban',
  'bic',
  'swift',
  'tel',
  'fax',
  'email',
  'e-mail',
  'mail',
  'hallo',
  'hello',
  'hi',
  'hey',
  'bonjour',
  'salut',
  'danke',
  'thanks',
  'merci',
  'bitte',
  'please',
  'ok',
  'okay',
  'delivery',
  'lieferung',
  'livraison',
  'support',
  'service',
  'kundenservice',
  'team',
  'pin',
  'tan',
  'cvv',
  'cvc',
  'url',
  'pdf',
  'faq',
  'vip',
  'api',
  'app',
  'id',
  // Speaker labels of transcripts.
  'caller',
  'agent',
  'customer',
  'kunde',
  'kundin',
  'anrufer',
  'anruferin',
  'mitarbeiter',
  'mitarbeiterin',
  'client',
  'cliente',
  'conseiller',
  'conseillère',
  'speaker',
  'operator',
  // Capitalised function words after a size or title "M." ("Größe M. Meine Bestellung", "size M. When").
  'mein',
  'meine',
  'unsere',
  'wann',
  'warum',
  'vielen',
  'when',
  'where',
  'why',
  'my',
  'our',
  'product',
  'parcel',
  'mon',
  'ma',
  'mes',
  'notre',
  'quand',
  'pourquoi',
  'puis-je',
  'référence',
  // Months and weekdays (several are also towns or first names: March, May, June, Avril).
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
  'januar',
  'februar',
  'märz',
  'mai',
  'juni',
  'juli',
  'oktober',
  'dezember',
  'janvier',
  'février',
  'mars',
  'avril',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
  'montag',
  'dienstag',
  'mittwoch',
  'donnerstag',
  'freitag',
  'samstag',
  'sonntag',
  'lundi',
  'mardi',
  'mercredi',
  'jeudi',
  'vendredi',
  'samedi',
  'dimanche',
]);
const SHORT_CAPS = /^\p{Lu}{1,3}$/u;
// French imperatives with a pronoun ("Écrivez-moi", "Rappelez-nous").
const IMPERATIVE = /-(?:moi|nous|vous|toi|le|la|les|lui|y|en)$/iu;
// An elided French article or pronoun before a common noun ("L'appareil", "J'ai"); "D'Artagnan" stays.
const ELIDED = /^(?:[lLjJdDnNsScC]|[qQ]u)['’]\p{Ll}/u;
const KNOWN = GAZ_FIRST | GAZ_LAST | GAZ_CITY;

const ARTICLES = new Set([
  'le',
  'la',
  'les',
  'der',
  'die',
  'das',
  'dem',
  'den',
  'the',
  'un',
  'une',
  'ein',
  'eine',
]);

function isArticle(word: string): boolean {
  return ARTICLES.has(word.toLowerCase());
}

function isTitle(gaz: Gazetteer, word: string): boolean {
  return (gaz.lookup(word.toLowerCase()) & GAZ_TITLE) !== 0;
}

function insideAddress(out: readonly Span[], start: number, end: number): boolean {
  for (const s of out) if (s.type === 'POSTAL_ADDRESS' && s.start <= start && s.end >= end) return true;
  return false;
}

export const recognizeNamedEntities: Recognizer = (text, ctx) => {
  const ner = loadNer();
  const tokens = tokenize(text);
  if (tokens.length === 0) return;
  const found: Span[] = [];
  for (const [from, to] of segments(text, tokens)) {
    const words = tokens.slice(from, to).map((t) => t.text);
    for (const span of tagSentence(ner.weights, ner.gazetteer, words)) {
      // A title ("M.", "Herr", "Dr.") is the cue, not the name.
      const titled = isTitle(ner.gazetteer, words[span.from]!);
      while (
        span.from < span.to &&
        (isTitle(ner.gazetteer, words[span.from]!) || isArticle(words[span.from]!))
      )
        span.from++;
      while (span.to > span.from && isTitle(ner.gazetteer, words[span.to - 1]!)) span.to--;
      if (span.from === span.to) continue;
      const single = span.to - span.from === 1 ? words[span.from]! : undefined;
      // One word the public lists do not know is more often prose than a name when it is lower case or
      // follows an abbreviated title ("M. Merci", "Größe M. Puis-je").
      const unknown = single !== undefined && !(ner.gazetteer.lookup(single.toLowerCase()) & KNOWN);
      if (unknown && (single === single.toLowerCase() || titled)) continue;
      const start = tokens[from + span.from]!.start;
      const end = tokens[from + span.to - 1]!.end;
      const value = text.slice(start, end);
      if (value.length < 2 || HAS_DIGIT.test(value)) continue;
      if (
        span.to - span.from === 1 &&
        (NEVER_ALONE.has(value.toLowerCase()) ||
          SHORT_CAPS.test(value) ||
          IMPERATIVE.test(value) ||
          ELIDED.test(value))
      )
        continue;
      const type = TYPE[span.label];
      // A street named after a person ("Baker Street") or a place inside an address is the address's.
      if (insideAddress(ctx.out, start, end)) continue;
      found.push({ start, end, type, score: scoreOf(span.score) });
    }
  }
  for (const s of found) ctx.out.push(s);
};
