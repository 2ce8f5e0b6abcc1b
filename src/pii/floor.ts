// The floor no tenant policy goes below (issue 20, finding 3; PCI DSS 3.3): card numbers, card
// security codes, expiry dates, track data and credentials are detected at the default threshold
// at least and never kept in clear, whatever the policy's minScore or operators. A policy may be
// stricter (a lower minScore), never weaker. Applied on every use of a policy (ruleFor), so an
// old stored policy cannot weaken it, and pinned at validation, so the tenant sees what holds.
import type { Operator as Op } from './policy.ts';
import type { EntityType } from './types.ts';

/** The highest minScore these types may have: the engine's default threshold. */
export const FLOOR_MIN_SCORE = 0.5;

/** Per type, the operators that store nothing in clear (a masked PAN keeps the last four only). */
const FLOOR: Partial<Record<EntityType, readonly Op[]>> = {
  PAYMENT_CARD: ['redact', 'mask'],
  CARD_CVV: ['redact'],
  CARD_EXPIRY: ['redact'],
  CARD_TRACK: ['redact'],
  CREDENTIAL: ['redact'],
};

export const FLOOR_TYPES = Object.keys(FLOOR) as EntityType[];

/** The rule for `type` raised to the floor. */
export function applyFloor<R extends { operator: Op; minScore: number }>(type: EntityType, rule: R): R {
  const allowed = FLOOR[type];
  if (!allowed) return rule;
  return {
    ...rule,
    operator: allowed.includes(rule.operator) ? rule.operator : 'redact',
    minScore: Math.min(rule.minScore, FLOOR_MIN_SCORE),
  };
}

/** Why a resolved rule was raised, for the policy's warnings; null when it already met the floor. */
export function floorWarning(
  where: string,
  type: EntityType,
  rule: { operator: Op; minScore: number },
): string | null {
  const floored = applyFloor(type, rule);
  if (floored.operator === rule.operator && floored.minScore === rule.minScore) return null;
  return `${where}${type}: operator '${rule.operator}' with minScore ${rule.minScore} would store card or credential data in clear; the floor (PCI DSS 3.3) applies: operator '${floored.operator}', minScore ${floored.minScore}`;
}
