import type { Recognizer, Span } from '../types.ts';

// Person names only where a cue makes them likely (salutation, self-introduction, signature) or where
// they exactly match a name already known for the customer. Name tokens are capitalised words with
// optional particles ("von", "de la"); spaces only, so a line break ends the name.

const NAME_TOKEN =
  "(?:[\\p{Lu}]['’])?[\\p{Lu}][\\p{Ll}]{1,20}(?:[\\p{Lu}][\\p{Ll}]{1,20})?(?:-[\\p{Lu}]?[\\p{Ll}]{1,20})?";
const PARTICLE = '(?:von|van|de|der|den|du|la|le|di|da|del|zu|dos|ten)';
const NAME_SEQ = `${NAME_TOKEN}(?: (?:${PARTICLE} ){0,2}${NAME_TOKEN}){0,2}`;

const SALUTATION = new RegExp(
  `(?:Herrn?|Frau|Mr\\.?|Mrs\\.?|Ms\\.?|Miss|Monsieur|Madame|Mme\\.?|Mlle\\.?|Mademoiselle)(?: (?:Dr|Prof)\\.?)? ((?:(?:von|van|de|du|di|da|zu|ten) ){0,1}${NAME_SEQ})`,
  'gu',
);
const INTRODUCTION = new RegExp(
  `(?:[Mm]ein Name ist|[Mm]ein Name lautet|[Ii]ch heiße|[Ii]ch heisse|[Mm]y name is|[Mm]y name's|[Jj]e m'appelle|[Jj]e m’appelle|[Mm]on nom est) (${NAME_SEQ})`,
  'gu',
);
const WEAK_INTRODUCTION = new RegExp(
  `(?:[Hh]ier spricht|[Hh]ier ist|[Tt]his is|[Ii]t's|[Cc]'est) (${NAME_SEQ})`,
  'gu',
);
const SIGN_OFF =
  '(?:Viele Grüße|Mit freundlichen Grüßen|Freundliche Grüße|Beste Grüße|Liebe Grüße|Herzliche Grüße|Schöne Grüße|Viele Grüsse|Mit freundlichen Grüssen|Gruß|Grüße|MfG|LG|VG|Best regards|Kind regards|Warm regards|Regards|Best wishes|Many thanks|Yours sincerely|Yours faithfully|Sincerely|Cordialement|Bien cordialement|Bien à vous|Salutations distinguées|Sincères salutations|Bonne journée)';
const SHORT_SIGN_OFF = '(?:Thanks|Thank you|Cheers|Best|Merci|Danke|Bis bald)';
const SIGNATURE = new RegExp(
  `(?:${SIGN_OFF}[,.!]?(?:[ \\t]*\\r?\\n[ \\t]*|[ \\t]+)|${SHORT_SIGN_OFF}[,.!]?[ \\t]*\\r?\\n[ \\t]*)(${NAME_SEQ})`,
  'gu',
);
const NOT_NAMES = new Set([
  'Team',
  'Kunde',
  'Kundin',
  'Kundenservice',
  'Support',
  'Service',
  'Sir',
  'Madam',
  'Customer',
  'Client',
  'Ihr',
  'Ihre',
  'Your',
  'Votre',
  'Die',
  'Der',
  'Das',
  'The',
  'Le',
  'La',
  'Les',
  'Ich',
  'Und',
  'And',
  'Et',
  'Vielen',
  'Danke',
]);

function pushNames(re: RegExp, text: string, score: number, out: Span[]): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    // Word boundary before the cue, checked here: a leading look-behind slows the scan down.
    if (m.index > 0 && LETTER.test(text[m.index - 1]!)) {
      re.lastIndex = m.index + 1;
      continue;
    }
    const name = m[1]!;
    const first = name.split(' ')[0]!;
    if (NOT_NAMES.has(first)) continue;
    const start = m.index + m[0].length - name.length;
    out.push({ start, end: start + name.length, type: 'PERSON', score });
  }
}

const LETTER = /\p{L}/u;

const knownNameCache = new Map<string, RegExp | null>();

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Full names and their parts (at least 3 letters) as one alternation, longest first. */
function knownNamesRegex(names: readonly string[]): RegExp | null {
  const key = names.join('\u0000');
  const cached = knownNameCache.get(key);
  if (cached !== undefined) return cached;
  const variants = new Set<string>();
  for (const raw of names) {
    const full = raw.trim().replace(/\s+/g, ' ');
    if (full.length >= 2) variants.add(full);
    for (const part of full.split(' ')) if (part.length >= 3) variants.add(part);
  }
  const sorted = [...variants].sort((a, b) => b.length - a.length).map(escapeRegex);
  const re = sorted.length
    ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${sorted.join('|')})(?![\\p{L}\\p{N}])`, 'gu')
    : null;
  if (knownNameCache.size > 256) knownNameCache.clear();
  knownNameCache.set(key, re);
  return re;
}

export const recognizePersons: Recognizer = (text, ctx) => {
  const { out } = ctx;
  pushNames(SALUTATION, text, 0.85, out);
  pushNames(INTRODUCTION, text, 0.85, out);
  pushNames(SIGNATURE, text, 0.8, out);
  pushNames(WEAK_INTRODUCTION, text, 0.55, out);
  if (ctx.knownNames.length === 0) return;
  const re = knownNamesRegex(ctx.knownNames);
  if (!re) return;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({
      start: m.index,
      end: m.index + m[0].length,
      type: 'PERSON',
      score: m[0].includes(' ') ? 0.95 : 0.8,
    });
  }
};
