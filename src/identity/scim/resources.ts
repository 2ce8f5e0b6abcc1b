// SCIM resource shapes (RFC 7643) ↔ Vigil's rows. Entra ID sends booleans as "True"/"False".
import { scimError } from './errors.ts';
import type { Json } from './patch.ts';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export const USER_ATTRS = [
  'schemas',
  'id',
  'externalId',
  'userName',
  'name',
  'givenName',
  'familyName',
  'formatted',
  'displayName',
  'emails',
  'value',
  'type',
  'primary',
  'active',
  'password',
  'groups',
  'meta',
] as const;
export const GROUP_ATTRS = [
  'schemas',
  'id',
  'externalId',
  'displayName',
  'members',
  'value',
  'display',
  'meta',
] as const;

export interface ScimUserRow {
  id: string;
  user_id: string;
  owns_user: boolean;
  external_id: string | null;
  user_name: string;
  given_name: string | null;
  family_name: string | null;
  display_name: string | null;
  email: string | null;
  active: boolean;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface ScimGroupRow {
  id: string;
  display_name: string;
  external_id: string | null;
  version: number;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface UserAttrs {
  userName: string;
  externalId: string | null;
  givenName: string | null;
  familyName: string | null;
  displayName: string | null;
  email: string | null;
  active: boolean;
  password: string | null;
}

export interface GroupAttrs {
  displayName: string;
  externalId: string | null;
  memberIds: string[];
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const iso = (v: Date | string) => new Date(v).toISOString();

function text(v: unknown, what: string, max: number, required = false): string | null {
  if (v === undefined || v === null || v === '') {
    if (required) throw scimError('invalid_input', 'invalidValue', `${what} is required`);
    return null;
  }
  if (typeof v !== 'string' || v.length > max)
    throw scimError('invalid_input', 'invalidValue', `${what} is not valid`);
  return v.trim();
}

export function asBool(v: unknown, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw scimError('invalid_input', 'invalidValue', 'active must be a boolean');
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}\.[^\s@]{2,}$/;

export function userAttrsFrom(body: Json): UserAttrs {
  const userName = text(body.userName, 'userName', 254, true)!;
  const name = isObj(body.name) ? body.name : {};
  const emails = Array.isArray(body.emails) ? body.emails.filter(isObj) : [];
  const primary =
    emails.find((e) => asBool(e.primary, false)) ?? emails.find((e) => e.type === 'work') ?? emails[0];
  const email = text(primary?.value, 'emails.value', 254) ?? (EMAIL.test(userName) ? userName : null);
  if (email !== null && !EMAIL.test(email))
    throw scimError('invalid_input', 'invalidValue', 'the e-mail address is not valid');
  return {
    userName,
    externalId: text(body.externalId, 'externalId', 256),
    givenName: text(name.givenName, 'name.givenName', 120),
    familyName: text(name.familyName, 'name.familyName', 120),
    displayName: text(body.displayName, 'displayName', 240) ?? text(name.formatted, 'name.formatted', 240),
    email,
    active: asBool(body.active, true),
    password: text(body.password, 'password', 256),
  };
}

export function groupAttrsFrom(body: Json): GroupAttrs {
  const members = Array.isArray(body.members) ? body.members : [];
  const memberIds: string[] = [];
  for (const m of members) {
    const v = isObj(m) ? m.value : m;
    if (typeof v !== 'string') throw scimError('invalid_input', 'invalidValue', 'members need a value');
    if (!memberIds.includes(v)) memberIds.push(v);
  }
  return {
    displayName: text(body.displayName, 'displayName', 256, true)!,
    externalId: text(body.externalId, 'externalId', 256),
    memberIds,
  };
}

export function userResource(
  u: ScimUserRow,
  groups: Array<{ id: string; display: string }>,
  base: string,
): Json {
  const formatted = [u.given_name, u.family_name].filter(Boolean).join(' ');
  return {
    schemas: [USER_SCHEMA],
    id: u.id,
    ...(u.external_id ? { externalId: u.external_id } : {}),
    userName: u.user_name,
    name: {
      ...(u.given_name ? { givenName: u.given_name } : {}),
      ...(u.family_name ? { familyName: u.family_name } : {}),
      ...(formatted ? { formatted } : {}),
    },
    ...(u.display_name ? { displayName: u.display_name } : {}),
    emails: u.email ? [{ value: u.email, type: 'work', primary: true }] : [],
    active: u.active,
    groups: groups.map((g) => ({ value: g.id, display: g.display, $ref: `${base}/Groups/${g.id}` })),
    meta: {
      resourceType: 'User',
      created: iso(u.created_at),
      lastModified: iso(u.updated_at),
      location: `${base}/Users/${u.id}`,
      version: `W/"${u.version}"`,
    },
  };
}

export function groupResource(
  g: ScimGroupRow,
  members: Array<{ id: string; display: string }>,
  base: string,
): Json {
  return {
    schemas: [GROUP_SCHEMA],
    id: g.id,
    ...(g.external_id ? { externalId: g.external_id } : {}),
    displayName: g.display_name,
    members: members.map((m) => ({ value: m.id, display: m.display, $ref: `${base}/Users/${m.id}` })),
    meta: {
      resourceType: 'Group',
      created: iso(g.created_at),
      lastModified: iso(g.updated_at),
      location: `${base}/Groups/${g.id}`,
      version: `W/"${g.version}"`,
    },
  };
}
