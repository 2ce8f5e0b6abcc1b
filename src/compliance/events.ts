// Audit events of the compliance module: ids, categories and counts only, never personal values.
// One event shape for every domain (platform/audit-port.ts).
export { actorEvent } from '../platform/audit-port.ts';

export type Meta = Record<string, string | number | boolean | null>;

export const iso = (d: Date | string | null | undefined): string | null =>
  d === null || d === undefined ? null : new Date(d).toISOString();
