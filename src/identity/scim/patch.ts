// RFC 7644 §3.5.2 PATCH applied to a resource's JSON form, in the dialects Entra ID and Okta send:
// capitalised ops ("Replace"), path-less replace with a value object (also with dotted keys such as
// "name.givenName"), value-filtered paths (emails[type eq "work"].value, members[value eq "id"])
// and Entra's remove of members by a value list.
import { parse as parseFilter, filter as scimFilter } from 'scim2-parse-filter';
import { scimError } from './errors.ts';

export type Json = Record<string, unknown>;
export interface PatchOp {
  op: string;
  path?: string;
  value?: unknown;
}

interface Path {
  attr: string;
  match?: (el: unknown) => boolean;
  /** For `attr[x eq "y"]`: the element to create when nothing matches (Entra adds emails so). */
  seed?: Json;
  sub?: string;
}

const CORE_PREFIX = /^urn:ietf:params:scim:schemas:core:2\.0:(User|Group):/i;
const PATH = /^([A-Za-z][\w$-]*)(?:\[(.+)\])?(?:\.([A-Za-z][\w$-]*))?$/;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Attribute names are case-insensitive; keep the resource's spelling when it has the key. */
function canon(obj: Json, name: string, known: readonly string[]): string {
  const lower = name.toLowerCase();
  return (
    Object.keys(obj).find((k) => k.toLowerCase() === lower) ??
    known.find((k) => k.toLowerCase() === lower) ??
    name
  );
}

function parsePath(raw: string, known: readonly string[], res: Json): Path | null {
  const path = raw.replace(CORE_PREFIX, '');
  // Extension schemas (e.g. the enterprise user) are not stored: accepted and ignored.
  if (path.startsWith('urn:')) return null;
  const m = PATH.exec(path);
  if (!m) throw scimError('invalid_input', 'invalidPath', 'the PATCH path is not valid');
  const attr = canon(res, m[1]!, known);
  const out: Path = { attr };
  if (m[3]) out.sub = canon({}, m[3], known);
  if (m[2]) {
    let f: ReturnType<typeof parseFilter>;
    try {
      f = parseFilter(m[2]);
    } catch {
      throw scimError('invalid_input', 'invalidFilter', 'the PATCH path filter is not valid');
    }
    out.match = scimFilter(f);
    if (f.op === 'eq' && typeof f.compValue === 'string') out.seed = { [f.attrPath]: f.compValue };
  }
  return out;
}

const sameElement = (a: unknown, b: unknown) =>
  isObj(a) && isObj(b) && a.value !== undefined ? String(a.value) === String(b.value) : a === b;

function addValues(existing: unknown[], value: unknown): unknown[] {
  const incoming = Array.isArray(value) ? value : [value];
  const out = [...existing];
  for (const v of incoming) if (!out.some((e) => sameElement(e, v))) out.push(v);
  return out;
}

function applyOne(res: Json, kind: string, p: Path, value: unknown): void {
  const current = res[p.attr];
  if (p.match) {
    const arr = Array.isArray(current) ? current : [];
    const hits = arr.filter((el) => p.match!(el));
    if (kind === 'remove') {
      if (p.sub) for (const el of hits) delete (el as Json)[p.sub];
      else res[p.attr] = arr.filter((el) => !p.match!(el));
      return;
    }
    if (!hits.length) {
      if (!p.seed) throw scimError('invalid_input', 'noTarget', 'the PATCH path matches nothing');
      res[p.attr] = [
        ...arr,
        p.sub ? { ...p.seed, [p.sub]: value } : { ...p.seed, ...(isObj(value) ? value : {}) },
      ];
      return;
    }
    for (const el of hits) {
      if (!isObj(el)) continue;
      if (p.sub) el[p.sub] = value;
      else if (isObj(value)) Object.assign(el, value);
    }
    return;
  }
  if (p.sub) {
    if (Array.isArray(current)) {
      // e.g. emails.value without a filter: the primary (or first) element.
      const el = (current.find((e) => isObj(e) && e.primary === true) ?? current[0]) as Json | undefined;
      if (kind === 'remove') {
        if (el) delete el[p.sub];
      } else if (el) el[p.sub] = value;
      else res[p.attr] = [{ [p.sub]: value, primary: true }];
      return;
    }
    const obj = isObj(current) ? current : {};
    if (kind === 'remove') delete obj[p.sub];
    else obj[p.sub] = value;
    res[p.attr] = obj;
    return;
  }
  if (kind === 'remove') {
    if (Array.isArray(current) && value !== undefined)
      res[p.attr] = current.filter(
        (e) => !(Array.isArray(value) ? value : [value]).some((v) => sameElement(e, v)),
      );
    else delete res[p.attr];
    return;
  }
  if (Array.isArray(current) || (kind === 'add' && Array.isArray(value))) {
    res[p.attr] =
      kind === 'add'
        ? addValues(Array.isArray(current) ? current : [], value)
        : Array.isArray(value)
          ? value
          : [value];
    return;
  }
  if (isObj(current) && isObj(value)) {
    res[p.attr] = { ...current, ...value };
    return;
  }
  res[p.attr] = value;
}

/** Applies the operations to a copy of `resource`; attribute names in `known` are canonical. */
export function applyPatch(resource: Json, ops: PatchOp[], known: readonly string[]): Json {
  const res = structuredClone(resource);
  for (const op of ops) {
    const kind = String(op.op ?? '').toLowerCase();
    if (kind !== 'add' && kind !== 'replace' && kind !== 'remove')
      throw scimError('invalid_input', 'invalidSyntax', 'unknown PATCH operation');
    if (!op.path) {
      if (kind === 'remove') throw scimError('invalid_input', 'noTarget', 'remove needs a path');
      if (!isObj(op.value))
        throw scimError('invalid_input', 'invalidValue', 'a PATCH without path needs an object value');
      for (const [k, v] of Object.entries(op.value)) {
        const p = parsePath(k, known, res);
        if (p) applyOne(res, kind, p, v);
      }
      continue;
    }
    const p = parsePath(op.path, known, res);
    if (p) applyOne(res, kind, p, op.value);
  }
  return res;
}
