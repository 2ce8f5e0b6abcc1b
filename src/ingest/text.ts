// Text hygiene at the channel boundary: well-formed Unicode, no NUL or other C0 controls
// (except tab and newlines), NFC. Applied before scanning so offsets refer to what is stored.

// Lone surrogates (invalid UTF-16) and control characters PostgreSQL or renderers choke on.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

export function cleanText(input: string): string {
  return input.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROL, '').normalize('NFC');
}

/** True when nothing but whitespace is left. */
export const isBlank = (s: string) => s.trim().length === 0;

export { pgTextArray } from '../platform/db.ts';
