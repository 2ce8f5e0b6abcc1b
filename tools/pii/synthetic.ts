import { tokenize } from '../../src/pii/ner/tokens.ts';
import type { Lang, Sentence } from './corpora.ts';

// Chat-shaped training sentences: names, places and organisations from the public lists placed in
// short support-chat templates (mid-sentence, no cue, lower case, no punctuation). Augmentation only:
// the dev figures are measured on the public corpora, not on these.

const TEMPLATES: Record<Lang, readonly string[]> = {
  de: [
    'hallo ich bin {PER} aus {LOC}',
    'mein name ist {PER} und ich wohne in {LOC}',
    'kannst du das bitte an {PER} weiterleiten',
    '{PER} hat gestern angerufen wegen der rechnung',
    'ich habe mit ihrer kollegin frau {LAST} gesprochen',
    'meine frau {FIRST} hat das paket angenommen',
    'bitte an {PER} schicken , wir sind umgezogen nach {LOC}',
    'der vertrag läuft auf {PER} seit 2019',
    'das konto gehört {PER} , nicht mir',
    'hier ist {PER} von {ORG} , es geht um die lieferung',
    'ich bin gestern von {LOC} nach {LOC} gefahren und der zug fiel aus',
    'wir sind seit jahren kunde bei {ORG}',
    'herr {LAST} aus der buchhaltung wollte sich melden',
    'ich rufe im auftrag von {PER} an',
    'moin , {FIRST} hier , die bestellung kam nicht an',
    'danke {FIRST} , schönen tag noch',
    'mein mann {PER} ist der kontoinhaber',
    'die filiale in {LOC} hat mir nicht geholfen',
    'ich hab schon mit {FIRST} aus ihrem team gechattet',
    'bitte rufen sie {PER} zurück , er ist der ansprechpartner bei {ORG}',
  ],
  en: [
    'hi this is {PER} from {LOC}',
    'my name is {PER} and i live in {LOC}',
    'can you forward this to {PER} please',
    '{PER} called yesterday about the bill',
    'i spoke to your colleague {FIRST} earlier today',
    'my wife {FIRST} signed for the parcel',
    'the account is under {PER} not me',
    'hello {FIRST} , thanks for getting back to me',
    'i moved from {LOC} to {LOC} last month',
    'i work for {ORG} and we ordered ten units',
    'please ask {PER} to call me back',
    'mr {LAST} from accounts said it was sorted',
    'i am calling on behalf of {PER}',
    'hey its {FIRST} again , still no refund',
    'thanks {FIRST} have a nice day',
    'my husband {PER} is the account holder',
    'the store in {LOC} could not help me',
    'i already chatted with {FIRST} from your team',
    'we are a small company , {ORG} , based in {LOC}',
    'this is {PER} , my order never arrived',
  ],
  fr: [
    'bonjour je suis {PER} de {LOC}',
    "je m'appelle {PER} et j'habite à {LOC}",
    'pouvez-vous transmettre ceci à {PER} svp',
    '{PER} a appelé hier pour la facture',
    "j'ai parlé avec votre collègue {FIRST} ce matin",
    'ma femme {FIRST} a réceptionné le colis',
    'le contrat est au nom de {PER} depuis 2020',
    'merci {FIRST} bonne journée',
    "j'ai déménagé de {LOC} à {LOC} le mois dernier",
    'je travaille chez {ORG} et nous avons commandé dix articles',
    'madame {LAST} du service client devait me rappeler',
    "j'appelle de la part de {PER}",
    "salut c'est {FIRST} , toujours pas de remboursement",
    'mon mari {PER} est le titulaire du compte',
    "l'agence de {LOC} ne m'a pas aidé",
    "j'ai déjà discuté avec {FIRST} de votre équipe",
    'nous sommes une petite entreprise , {ORG} , à {LOC}',
    'ici {PER} , ma commande n est jamais arrivée',
    'monsieur {LAST} a signé le bon de livraison',
    'rappelez {PER} au plus vite',
  ],
};

const ORGS = [
  'Telekom',
  'Vodafone',
  'Amazon',
  'DHL',
  'Deutsche Bahn',
  'Allianz',
  'Sparkasse',
  'Orange',
  'SNCF',
  'La Poste',
  'Free',
  'BT',
  'Barclays',
  'Tesco',
  'Hermes',
  'Zalando',
  'IKEA',
  'Lidl',
  'Commerzbank',
  'Société Générale',
];
const ORG_SUFFIX = ['GmbH', 'AG', 'Ltd', 'Inc', 'SARL', 'SA', '& Co'];

export interface NameLists {
  first: Record<Lang, string[]>;
  last: Record<Lang, string[]>;
  city: Record<Lang, string[]>;
  foreignFirst: string[];
  foreignLast: string[];
}

type Rng = () => number;

export function rng(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function fill(r: Rng, slot: string, lang: Lang, lists: NameLists): { text: string; label: string | null } {
  const foreign = r() < 0.2;
  const first = () => pick(r, foreign ? lists.foreignFirst : lists.first[lang]);
  const last = () => pick(r, foreign ? lists.foreignLast : lists.last[lang]);
  switch (slot) {
    case 'PER': {
      const parts = [first()];
      if (r() < 0.1) parts.push(first());
      parts.push(r() < 0.08 ? `${last()}-${last()}` : last());
      return { text: parts.join(' '), label: 'PER' };
    }
    case 'FIRST':
      return { text: first(), label: 'PER' };
    case 'LAST':
      return { text: last(), label: 'PER' };
    case 'LOC':
      return { text: pick(r, lists.city[lang]), label: 'LOC' };
    default: {
      const org = r() < 0.6 ? pick(r, ORGS) : `${last()} ${pick(r, ORG_SUFFIX)}`;
      return { text: org, label: 'ORG' };
    }
  }
}

/** Typical chat casing: proper, lower, all caps; names keep their list casing only when proper. */
export function chatSentences(lists: NameLists, perLang: number, seed: number): Sentence[] {
  const r = rng(seed);
  const out: Sentence[] = [];
  for (const lang of ['de', 'en', 'fr'] as const) {
    for (let n = 0; n < perLang; n++) {
      const template = pick(r, TEMPLATES[lang]);
      const words: string[] = [];
      const tags: string[] = [];
      for (const piece of template.split(/(\{[A-Z]+\})/)) {
        const slot = /^\{([A-Z]+)\}$/.exec(piece)?.[1];
        const filled = slot ? fill(r, slot, lang, lists) : { text: piece, label: null };
        tokenize(filled.text).forEach((t, i) => {
          words.push(t.text);
          tags.push(filled.label ? `${i === 0 ? 'B' : 'I'}-${filled.label}` : 'O');
        });
      }
      out.push({ words: recase(r, words, tags), tags, lang, source: 'synthetic-chat' });
    }
  }
  return out;
}

function recase(r: Rng, words: string[], tags: string[]): string[] {
  const mode = r();
  if (mode < 0.45) return words.map((w) => w.toLowerCase());
  if (mode < 0.55) return words.map((w) => w.toUpperCase());
  // Proper: sentence start capitalised, entity words keep their case, the rest as written.
  return words.map((w, i) => (i === 0 ? w[0]!.toUpperCase() + w.slice(1) : tags[i] === 'O' ? w : w));
}

const PUNCT = /^[^\p{L}\p{N}]+$/u;

/** Noisy copies of a corpus sentence: lower case, all caps, punctuation dropped, a typo. */
export function augment(s: Sentence, r: Rng): Sentence | null {
  const x = r();
  if (x > 0.4) return null;
  let words = s.words.slice();
  let tags = s.tags.slice();
  if (x < 0.25) words = words.map((w) => w.toLowerCase());
  else if (x < 0.31) words = words.map((w) => w.toUpperCase());
  else {
    const keep = words.map((w) => !PUNCT.test(w));
    words = words.filter((_, i) => keep[i]).map((w) => w.toLowerCase());
    tags = tags.filter((_, i) => keep[i]);
  }
  if (words.length === 0) return null;
  if (r() < 0.15) {
    const i = Math.floor(r() * words.length);
    const w = words[i]!;
    if (w.length > 3) {
      const k = 1 + Math.floor(r() * (w.length - 2));
      words[i] =
        r() < 0.5 ? w.slice(0, k) + w.slice(k + 1) : w.slice(0, k) + w[k + 1] + w[k] + w.slice(k + 2);
    }
  }
  return { words, tags, lang: s.lang, source: `${s.source}+noisy` };
}
