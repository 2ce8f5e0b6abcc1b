// A reveal discloses a tokenized value and its reason is what an auditor reads later: spaces,
// "aaaaaaaaaa" or "ababababab" would satisfy a bare length rule and explain nothing.
import { VigilError } from '../platform/errors.ts';

const MIN_LENGTH = 10;
const MIN_DISTINCT = 5;

/** The reason, trimmed and with runs of white space collapsed; throws `reason_required` when it says nothing. */
export function meaningfulReason(reason: string): string {
  const clean = reason.replace(/[\p{C}\s]+/gu, ' ').trim();
  const chars = [...clean.toLowerCase().replace(/\s/g, '')];
  const distinct = new Set(chars).size;
  if ([...clean].length < MIN_LENGTH || distinct < MIN_DISTINCT || !/\p{L}/u.test(clean))
    throw new VigilError(
      'reason_required',
      'give a meaningful reason: at least 10 characters of words, not a repeated character',
    );
  return clean;
}
