// Address parts the capitalised patterns in address.ts miss: chat-shaped lower-case streets and
// postcodes ("hauptstraße 5 in 50667 köln", "221b baker street", "12 rue de la paix 75002 paris"),
// PO boxes, "c/o" lines and apartment/floor designators. Weak alone where a word could be ordinary
// prose; a part next to another part merges into one address and gains score there.

export interface AddressPart {
  start: number;
  end: number;
  score: number;
}

const L = '[\\p{Ll}ß]';
// Found from the suffix (a literal, fast to scan for), then extended back over the word's letters.
const DE_SUFFIX_NUMBER =
  /(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee) {1,2}\d{1,4}(?: ?[a-h])?(?![\p{L}\d])/gu;
const LOWER_LETTER = /[\p{Ll}ß-]/u;

function collectGermanLowercase(text: string, parts: AddressPart[]): void {
  DE_SUFFIX_NUMBER.lastIndex = 0;
  for (let m = DE_SUFFIX_NUMBER.exec(text); m; m = DE_SUFFIX_NUMBER.exec(text)) {
    let start = m.index;
    while (start > 0 && m.index - start < 30 && LOWER_LETTER.test(text[start - 1]!)) start--;
    if (m.index - start < 2 || (start > 0 && /\p{L}/u.test(text[start - 1]!))) continue;
    parts.push({ start, end: m.index + m[0].length, score: 0.6 });
  }
}

const EN_STREET_LC = new RegExp(
  `(?<![\\w])\\d{1,5}[a-z]? (?:${L}{2,20} ){1,3}(?:street|st|road|rd|avenue|ave|lane|ln|drive|close|court|boulevard|blvd|place|terrace|crescent|gardens|square)(?![\\p{L}])`,
  'gu',
);
const FR_STREET_LC = new RegExp(
  `(?<![\\w])\\d{1,4}(?: ?(?:bis|ter))?,? (?:rue|avenue|boulevard|bd|place|impasse|allée|chemin|quai|route|cours|passage)` +
    `(?: (?:de|du|des|la|le|l'|d'|l’|d’)){0,2} ${L}[\\p{L}'’-]{1,24}(?: ${L}[\\p{L}'’-]{2,24})?`,
  'gu',
);
// A postcode and a lower-case city right after a part ("in 50667 köln", ", 75002 paris", "london nw1 6xe").
const POSTCODE_CITY_LC = new RegExp(
  `(?<![\\w-])\\d{4,5} ${L}{2,30}(?:[ -]${L}{2,30}){0,2}(?![\\p{L}])`,
  'gu',
);
const UK_POSTCODE_LC = /(?<![\w])[a-z]{1,2}\d[a-z\d]? ?\d[a-z]{2}(?![\w])/g;
const PO_BOX =
  /(?<![\p{L}])(?:Postfach|postfach|P\.? ?O\.? ?Box|PO Box|po box|P\.O\. Box|Boîte postale|boîte postale|BP|Case postale|case postale|Postlagernd)\s?\d{1,7}(?![\d])/gu;
const CARE_OF = /(?<![\p{L}])c\/o\s+[\p{L}][\p{L}.'’-]{1,24}(?: [\p{L}][\p{L}.'’-]{1,24}){0,3}/giu;
const UNIT =
  /(?<![\p{L}])(?:apt\.?|apartment|flat|suite|unit|whg\.?|wohnung|app\.?|appt\.?|appartement|étage|tür|top|stiege|etage|\d{1,2}\. (?:og|stock|etage))(?: ?(?:nr\.?|no\.?|#))? ?\d{0,4}[a-z]?(?![\p{L}])/giu;

function collect(re: RegExp, text: string, score: number, parts: AddressPart[]): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].trim().length < 3) continue;
    parts.push({ start: m.index, end: m.index + m[0].length, score });
  }
}

export function collectExtraParts(text: string, parts: AddressPart[]): void {
  collectGermanLowercase(text, parts);
  collect(EN_STREET_LC, text, 0.4, parts);
  collect(FR_STREET_LC, text, 0.55, parts);
  collect(POSTCODE_CITY_LC, text, 0.25, parts);
  collect(UK_POSTCODE_LC, text, 0.3, parts);
  collect(PO_BOX, text, 0.7, parts);
  collect(CARE_OF, text, 0.45, parts);
  collect(UNIT, text, 0.2, parts);
}

/** Up to two lower-case words between two parts ("hauptstraße 5 in 50667 köln", "baker street london nw1"). */
export const LOWER_GAP = /^[ \t]*,?[ \t]*(?:[\p{Ll}ß'’-]{1,24}[ \t]*,?[ \t]*){0,2}(?:\r?\n)?[ \t]*$/u;
