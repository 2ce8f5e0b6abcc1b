// Filtering and pagination of SCIM list requests (RFC 7644 §3.4.2). Lists are filtered on the
// resource's JSON form: a tenant's workforce is small enough (thousands) to hold in one request.
import { parse, Tester } from 'scim2-parse-filter';
import { scimError } from './errors.ts';
import type { Json } from './patch.ts';
import { LIST_SCHEMA } from './resources.ts';

// userName, displayName and e-mails are case-insensitive (RFC 7643 caseExact=false).
class CaseInsensitiveTester extends Tester {
  override eq(r: unknown, v: unknown): boolean {
    return typeof r === 'string' && typeof v === 'string' ? r.toLowerCase() === v.toLowerCase() : r === v;
  }
  override ne(r: unknown, v: unknown): boolean {
    return !this.eq(r, v);
  }
}
const tester = new CaseInsensitiveTester();

export interface ListQuery {
  filter?: string;
  startIndex?: number;
  count?: number;
}

export const MAX_RESULTS = 200;

export function listResponse(resources: Json[], q: ListQuery): Json {
  let matches = resources;
  if (q.filter) {
    let f: ReturnType<typeof parse>;
    try {
      f = parse(q.filter);
    } catch {
      throw scimError('invalid_input', 'invalidFilter', 'the filter is not valid');
    }
    matches = resources.filter((r) => tester.test(r, f));
  }
  const start = Math.max(1, q.startIndex ?? 1);
  const count = Math.min(MAX_RESULTS, Math.max(0, q.count ?? MAX_RESULTS));
  const page = matches.slice(start - 1, start - 1 + count);
  return {
    schemas: [LIST_SCHEMA],
    totalResults: matches.length,
    startIndex: start,
    itemsPerPage: page.length,
    Resources: page,
  };
}
