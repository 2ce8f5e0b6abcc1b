// Art. 15 export: which tokenized values in a subject's conversations are the subject's own. A
// value is theirs when it is one of their profile's identifiers (an e-mail, phone, the address,
// name, date of birth or customer number); everything else — another person's number in the same
// message, a card, a credential — stays as its [TYPE] placeholder.
import { normalizeForIndex } from '../crypto/index.ts';

export interface OwnProfile {
  name: string | null;
  emails: string[];
  phones: string[];
  address: Record<string, string> | null;
  dateOfBirth: string | null;
  customerNumber: string | null;
}

const squash = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
const phone = (s: string) => {
  try {
    return normalizeForIndex('phone', s);
  } catch {
    return null;
  }
};
const nameWords = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 2);
/** Day, month and year as numbers, in any order the text wrote them. */
const dateParts = (s: string) =>
  (s.match(/\d+/g) ?? [])
    .map(Number)
    .sort((a, b) => a - b)
    .join('-');

export function ownValueMatcher(p: OwnProfile): (type: string, value: string) => boolean {
  const emails = new Set(p.emails.map((e) => e.trim().toLowerCase()));
  const phones = new Set(p.phones.map(phone).filter((x): x is string => !!x));
  const street = p.address?.street ? squash(p.address.street) : '';
  const postal = p.address?.postalCode ? squash(p.address.postalCode) : '';
  const ownNameWords = new Set(p.name ? nameWords(p.name) : []);
  return (type, value) => {
    switch (type) {
      case 'EMAIL':
        return emails.has(value.trim().toLowerCase());
      case 'PHONE': {
        const v = phone(value);
        return !!v && phones.has(v);
      }
      case 'POSTAL_ADDRESS': {
        // The street (with number) must be there; a postal code in the text must be theirs.
        const v = squash(value);
        return !!street && v.includes(street) && (!/\d{4,}/.test(value) || !postal || v.includes(postal));
      }
      case 'PERSON': {
        // The whole name, or part of it ("Schmidt am Apparat"): every word of the value is one
        // of the name's words, so "Max Schmidt" is someone else's name for "Lena Schmidt".
        const words = nameWords(value);
        return words.length > 0 && words.every((w) => ownNameWords.has(w));
      }
      case 'DATE_OF_BIRTH':
        return !!p.dateOfBirth && dateParts(value) === dateParts(p.dateOfBirth);
      default:
        return !!p.customerNumber && squash(value) === squash(p.customerNumber);
    }
  };
}
