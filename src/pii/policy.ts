import { applyFloor, FLOOR_TYPES, floorWarning } from './floor.ts';
import { type Channel, type EntityType, isEntityType } from './types.ts';

export const OPERATORS = ['redact', 'mask', 'tokenize', 'pseudonymize', 'keep'] as const;
export type Operator = (typeof OPERATORS)[number];

export interface EntityRule {
  operator: Operator;
  minScore?: number;
}

export interface ChannelPolicy {
  defaultOperator?: Operator;
  minScore?: number;
  entities?: Partial<Record<EntityType, EntityRule>>;
}

/** Per-tenant policy: entity type -> operator/minScore, a default, and per-channel overrides. */
export interface PiiPolicy {
  defaultOperator: Operator;
  minScore: number;
  entities: Partial<Record<EntityType, EntityRule>>;
  channels?: Partial<Record<Channel, ChannelPolicy>>;
}

const NATIONAL_IDS: EntityType[] = [
  'DE_TAX_ID',
  'DE_PENSION_NO',
  'DE_ID_CARD',
  'PASSPORT',
  'VAT_ID',
  'FR_NIR',
  'UK_NINO',
  'US_SSN',
];

/**
 * What Vigil uses when a tenant has no policy. Privacy by default (GDPR Art. 25): payment data and
 * secrets go; names, contact data, addresses and birth dates are tokenized (an agent reveals one with a
 * reason); organisations and place names are detected but kept. Tenants opt out per type explicitly.
 */
export const defaultPolicy: PiiPolicy = Object.freeze({
  defaultOperator: 'keep',
  minScore: 0.5,
  entities: Object.freeze({
    PAYMENT_CARD: { operator: 'redact' },
    CARD_CVV: { operator: 'redact' },
    CARD_EXPIRY: { operator: 'redact' },
    CARD_TRACK: { operator: 'redact' },
    IBAN: { operator: 'mask' },
    BIC: { operator: 'keep' },
    CREDENTIAL: { operator: 'redact' },
    ...Object.fromEntries(NATIONAL_IDS.map((t) => [t, { operator: 'redact' }])),
    EMAIL: { operator: 'tokenize' },
    PHONE: { operator: 'tokenize' },
    PERSON: { operator: 'tokenize' },
    POSTAL_ADDRESS: { operator: 'tokenize' },
    DATE_OF_BIRTH: { operator: 'tokenize' },
    IP_ADDRESS: { operator: 'keep' },
    LOCATION: { operator: 'keep' },
    ORGANIZATION: { operator: 'keep' },
  } satisfies Partial<Record<EntityType, EntityRule>>),
}) as PiiPolicy;

/**
 * PCI DSS 3.3/3.4: full PANs and CVVs are never stored, logged or shown. Applied on every use of a
 * policy, not only in validation, so a hand-built policy cannot bypass it.
 */
export function enforcePci(type: EntityType, operator: Operator): Operator {
  if (type === 'CARD_CVV') return 'redact';
  if (type === 'PAYMENT_CARD' && operator !== 'mask') return 'redact';
  return operator;
}

export interface ResolvedRule {
  operator: Operator;
  minScore: number;
}

/** Channel entity rule > policy entity rule > channel default > policy default, before any floor. */
function declaredRule(policy: PiiPolicy, channel: Channel | undefined, type: EntityType): ResolvedRule {
  const ch = channel ? policy.channels?.[channel] : undefined;
  const rule = ch?.entities?.[type] ?? policy.entities[type];
  const operator = rule?.operator ?? ch?.defaultOperator ?? policy.defaultOperator;
  const minScore = rule?.minScore ?? ch?.minScore ?? policy.minScore;
  return { operator, minScore };
}

/** The declared rule, then the PCI rule and the floor for card data and credentials (floor.ts). */
export function ruleFor(policy: PiiPolicy, channel: Channel | undefined, type: EntityType): ResolvedRule {
  const r = declaredRule(policy, channel, type);
  return applyFloor(type, { operator: enforcePci(type, r.operator), minScore: r.minScore });
}

/** Writes the floor into the policy as explicit rules, so what is stored is what holds. */
function pinFloor(policy: PiiPolicy, warnings: string[]): void {
  const channels = [undefined, ...(Object.keys(policy.channels ?? {}) as Channel[])];
  for (const type of FLOOR_TYPES)
    for (const channel of channels) {
      const declared = declaredRule(policy, channel, type);
      const where = channel ? `channels.${channel}.entities.` : 'entities.';
      const warning = floorWarning(where, type, declared);
      if (!warning) continue;
      warnings.push(warning);
      const rule = ruleFor(policy, channel, type);
      if (!channel) policy.entities[type] = rule;
      else {
        const ch = policy.channels![channel]!;
        ch.entities = { ...ch.entities, [type]: rule };
      }
    }
}

function isOperator(v: unknown): v is Operator {
  return typeof v === 'string' && (OPERATORS as readonly string[]).includes(v);
}

function validScore(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;
}

function readRules(raw: unknown, where: string, warnings: string[]): Partial<Record<EntityType, EntityRule>> {
  const rules: Partial<Record<EntityType, EntityRule>> = {};
  if (raw === undefined) return rules;
  if (typeof raw !== 'object' || raw === null) {
    warnings.push(`${where}: entities must be an object`);
    return rules;
  }
  for (const [type, value] of Object.entries(raw)) {
    if (!isEntityType(type)) {
      warnings.push(`${where}.${type}: unknown entity type`);
      continue;
    }
    const r = value as { operator?: unknown; minScore?: unknown } | null;
    if (!r || !isOperator(r.operator)) {
      warnings.push(`${where}.${type}: invalid operator, rule ignored`);
      continue;
    }
    const operator = enforcePci(type, r.operator);
    if (operator !== r.operator) {
      warnings.push(
        `${where}.${type}: operator '${r.operator}' not allowed (PCI DSS 3.3/3.4), coerced to '${operator}'`,
      );
    }
    const rule: EntityRule = { operator };
    if (r.minScore !== undefined) {
      if (validScore(r.minScore)) rule.minScore = r.minScore;
      else warnings.push(`${where}.${type}: minScore must be a number in [0, 1], ignored`);
    }
    rules[type] = rule;
  }
  return rules;
}

/** Checks a tenant-supplied policy, returns a usable one (invalid parts replaced/coerced) and warnings. */
export function validatePolicy(input: unknown): { policy: PiiPolicy; warnings: string[] } {
  const warnings: string[] = [];
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  if (input === null || typeof input !== 'object') warnings.push('policy must be an object, using defaults');
  let defaultOperator = defaultPolicy.defaultOperator;
  if (raw.defaultOperator !== undefined) {
    if (isOperator(raw.defaultOperator)) defaultOperator = raw.defaultOperator;
    else warnings.push('defaultOperator: invalid operator, using default');
  }
  let minScore = defaultPolicy.minScore;
  if (raw.minScore !== undefined) {
    if (validScore(raw.minScore)) minScore = raw.minScore;
    else warnings.push('minScore must be a number in [0, 1], using default');
  }
  const entities =
    raw.entities === undefined
      ? { ...defaultPolicy.entities }
      : readRules(raw.entities, 'entities', warnings);
  const policy: PiiPolicy = { defaultOperator, minScore, entities };
  if (raw.channels !== undefined && typeof raw.channels === 'object' && raw.channels !== null) {
    policy.channels = {};
    for (const [name, value] of Object.entries(raw.channels)) {
      if (!['chat', 'email', 'voice', 'note'].includes(name)) {
        warnings.push(`channels.${name}: unknown channel`);
        continue;
      }
      const c = (value ?? {}) as Record<string, unknown>;
      const ch: ChannelPolicy = { entities: readRules(c.entities, `channels.${name}.entities`, warnings) };
      if (c.defaultOperator !== undefined) {
        if (isOperator(c.defaultOperator)) ch.defaultOperator = c.defaultOperator;
        else warnings.push(`channels.${name}.defaultOperator: invalid operator, ignored`);
      }
      if (c.minScore !== undefined) {
        if (validScore(c.minScore)) ch.minScore = c.minScore;
        else warnings.push(`channels.${name}.minScore must be a number in [0, 1], ignored`);
      }
      policy.channels[name as Channel] = ch;
    }
  }
  // A default of keep/tokenize/pseudonymize would otherwise apply to cards without an explicit rule.
  for (const type of ['PAYMENT_CARD', 'CARD_CVV'] as const) {
    if (!policy.entities[type] && enforcePci(type, defaultOperator) !== defaultOperator) {
      policy.entities[type] = { operator: enforcePci(type, defaultOperator) };
      warnings.push(
        `${type}: default operator '${defaultOperator}' not allowed (PCI DSS 3.3/3.4), coerced to 'redact'`,
      );
    }
  }
  pinFloor(policy, warnings);
  return { policy, warnings };
}
