import type { Recognizer } from '../types.ts';
import { recognizeAddress } from './address.ts';
import { recognizeBank } from './bank.ts';
import { recognizeCards } from './card.ts';
import { recognizeCredentials } from './credential.ts';
import { recognizeGermanIds } from './de-ids.ts';
import { recognizeDateOfBirth } from './dob.ts';
import { recognizeEmail } from './email.ts';
import { recognizeIntlIds } from './intl-ids.ts';
import { recognizeIp } from './ip.ts';
import { recognizeNamedEntities } from './ner.ts';
import { recognizePersons } from './person.ts';
import { recognizePhone } from './phone.ts';
import { recognizeTrackData } from './track.ts';

/** All recognizers in run order (cards first: expiry scoring looks at cards already found). */
export const RECOGNIZERS: readonly Recognizer[] = [
  recognizeCards,
  recognizeTrackData,
  recognizeBank,
  recognizeEmail,
  recognizePhone,
  recognizeIp,
  recognizeGermanIds,
  recognizeIntlIds,
  recognizeDateOfBirth,
  recognizeAddress,
  recognizeCredentials,
  recognizePersons,
  // Last: it skips places inside postal addresses the rules above already found.
  recognizeNamedEntities,
];

/** The recognizers a transcript's normalized digit/letter text is worth re-running (ids, not prose). */
export const SPOKEN_RECOGNIZERS: readonly Recognizer[] = [
  recognizeCards,
  recognizeBank,
  recognizePhone,
  recognizeGermanIds,
  recognizeIntlIds,
];
