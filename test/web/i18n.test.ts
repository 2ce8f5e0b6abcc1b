// The two message catalogues have the same keys, every literal t('key') in the web sources exists,
// and every stable error code of the API has a translated message.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_IDS } from '../../src/monitoring/types.ts';
import { ENTITY_TYPES } from '../../src/pii/types.ts';
import { errorStatus } from '../../src/platform/errors.ts';
import { IDENTITY_METHODS, REQUEST_TYPES } from '../../src/privacy/service.ts';
import { FACTORS, UNLOCKABLE } from '../../src/verification/normalize.ts';

const root = join(import.meta.dirname, '..', '..', 'web', 'src');
const en = JSON.parse(readFileSync(join(root, 'i18n', 'en.json'), 'utf8')) as Record<string, string>;
const de = JSON.parse(readFileSync(join(root, 'i18n', 'de.json'), 'utf8')) as Record<string, string>;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

describe('i18n', () => {
  it('en and de have identical key sets', () => {
    expect(Object.keys(de).filter((k) => !(k in en))).toEqual([]);
    expect(Object.keys(en).filter((k) => !(k in de))).toEqual([]);
  });

  it('no message is empty and placeholders match between languages', () => {
    for (const k of Object.keys(en)) {
      expect(en[k]!.trim(), k).not.toBe('');
      expect(de[k]!.trim(), k).not.toBe('');
      const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect({ k, vars: vars(de[k]!) }).toEqual({ k, vars: vars(en[k]!) });
    }
  });

  it('every t("key") used in the sources has a message', () => {
    const files = sources(root);
    expect(files.length).toBeGreaterThan(10);
    const used = new Set<string>();
    for (const f of files)
      for (const m of readFileSync(f, 'utf8').matchAll(/\bt\(\s*(['"])([A-Za-z0-9_.]+)\1/g)) used.add(m[2]!);
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !(k in en))).toEqual([]);
  });

  it('every API error code has a translated message', () => {
    expect(Object.keys(errorStatus).filter((c) => !(`errors.${c}` in en))).toEqual([]);
  });

  it('every value the API can send to a translated label has a message in both languages', () => {
    const families: Record<string, readonly string[]> = {
      'inbox.status': ['open', 'pending', 'resolved', 'closed'],
      'inbox.channel': ['chat', 'email', 'voice'],
      'inbox.priority': ['low', 'normal', 'high', 'urgent'],
      'verify.factor': FACTORS,
      'verify.field': UNLOCKABLE,
      'dpo.type': REQUEST_TYPES,
      'dpo.identity': IDENTITY_METHODS,
      'dpo.state': ['received', 'in_effect', 'completed', 'rejected'],
      'alerts.state': ['open', 'acknowledged', 'resolved', 'false_positive'],
      'alerts.severity': ['low', 'medium', 'high', 'critical'],
      // Codes shown as words on German pages (issue 25): no raw entity type or rule id.
      'pii.entity': ENTITY_TYPES,
      'alerts.rule': RULE_IDS,
      'supervisor.state': ['online', 'busy', 'offline'],
    };
    const missing: string[] = [];
    for (const [prefix, values] of Object.entries(families))
      for (const v of values)
        for (const cat of [en, de]) if (!(`${prefix}.${v}` in cat)) missing.push(`${prefix}.${v}`);
    expect(missing).toEqual([]);
  });
});
