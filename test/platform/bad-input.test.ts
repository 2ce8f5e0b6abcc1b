// Property-based: whatever arrives at any route — wrong types, garbage JSON, near-miss objects
// derived from the route's own schema, odd path parameters — the answer is a 4xx with the error
// shape (or a success), never a 5xx and never a stack trace.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../../src/authz/guard.ts';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
};

/** Values that fit a schema's shape, with random content: they get past the first type checks. */
function nearMiss(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const any = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant('<script>alert(1)</script>'),
    fc.constant('4111 1111 1111 1111'),
    fc.string({ unit: 'binary', maxLength: 20 }),
  );
  if (!schema || depth > 3) return any;
  if (schema.anyOf?.length) return fc.oneof(...schema.anyOf.map((s) => nearMiss(s, depth + 1)), any);
  if (schema.const !== undefined) return fc.oneof(fc.constant(schema.const), any);
  if (schema.enum) return fc.oneof(fc.constantFrom(...schema.enum), any);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'object' && schema.properties) {
    const entries = Object.entries(schema.properties).map(([k, s]) => [k, nearMiss(s, depth + 1)] as const);
    return fc.oneof(
      fc.record(Object.fromEntries(entries), { requiredKeys: [] }),
      fc.dictionary(fc.string({ maxLength: 8 }), any, { maxKeys: 4 }),
    );
  }
  if (type === 'array') return fc.array(nearMiss(schema.items, depth + 1), { maxLength: 4 });
  if (type === 'string')
    return fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.uuid(),
      fc.emailAddress(),
      fc.string({ unit: 'grapheme', maxLength: 50 }),
      any,
    );
  if (type === 'integer' || type === 'number')
    return fc.oneof(fc.integer({ min: -1e9, max: 1e9 }), fc.double(), any);
  return any;
}

const rawBodies = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.json(),
  fc.constant('{"a":'),
  fc.constant('\u0000\uffff'),
  fc.constant('[]'),
  fc.constant('null'),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')),
);

const pathParam = fc.oneof(
  fc.uuid(),
  fc.string({ maxLength: 20 }),
  fc.constant('..%2f..%2fetc'),
  fc.constant('%00'),
  fc.constant('00000000-0000-0000-0000-000000000000'),
);

describe('bad input never yields a 5xx', () => {
  let v: TestVigil;
  let s: Session;
  let routes: RouteEntry[];

  beforeAll(async () => {
    v = await startTestVigil();
    await v.tenant('fuzz-a');
    const u = await v.makeUser([
      { role: 'agent', tenant: 'fuzz-a' },
      { role: 'supervisor', tenant: 'fuzz-a' },
      { role: 'tenant_admin', tenant: 'fuzz-a' },
      { role: 'security_officer', tenant: 'fuzz-a' },
      { role: 'dpo', tenant: 'fuzz-a' },
      { role: 'platform_admin' },
    ]);
    s = await v.login(u);
    // Logout and session revocation would end the fuzzing session; they are covered elsewhere.
    routes = v.http.routeTable.filter(
      (r) =>
        r.method !== 'HEAD' &&
        !r.url.startsWith('/docs') &&
        !/logout|sessions\/:sessionId$/.test(r.url) &&
        !r.url.includes('*'),
    );
  });
  afterAll(() => v.close());

  it('checks a realistic number of routes', () => {
    expect(routes.length).toBeGreaterThanOrEqual(6);
  });

  it('answers every route with a 4xx error body or a success for arbitrary input', async () => {
    const route = fc.constantFrom(...routes);
    await fc.assert(
      fc.asyncProperty(
        route,
        fc.boolean(),
        pathParam,
        fc.oneof(
          rawBodies.map((b) => ({ raw: b })),
          fc.constant(null).chain(() => fc.constant({})),
        ),
        async (r, authed, param, rawBody) => {
          const schema = r.schema?.body as JsonSchema | undefined;
          const body = 'raw' in rawBody ? rawBody.raw : fc.sample(nearMiss(schema), 1)[0];
          const path = r.url
            .replace(':tenantSlug', 'fuzz-a')
            .replace(/:(\w+)/g, () => encodeURIComponent(param));
          const withBody = r.method !== 'GET' && r.method !== 'DELETE';
          const res = await v.call(r.method, path, withBody ? body : undefined, authed ? s : null);
          expect(res.status, `${r.method} ${r.url} → ${res.status} ${res.text.slice(0, 200)}`).toBeLessThan(
            500,
          );
          if (res.status >= 400) {
            expect(res.json?.error?.code, `${r.method} ${r.url} error shape`).toMatch(/^[a-z_]+$/);
            expect(res.text).not.toMatch(/\bat .+\.ts:\d+|node_modules|stack/);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('oversized and mistyped bodies get 413/415 with the error shape', async () => {
    const big = await v.call(
      'POST',
      '/api/v1/auth/login',
      JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(2 * 1024 * 1024) }),
    );
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('payload_too_large');
    const xml = await v.call('POST', '/api/v1/auth/login', '<a/>', null, {
      'content-type': 'application/xml',
    });
    expect(xml.status).toBe(415);
    expect(xml.json.error.code).toBe('unsupported_media_type');
    const bad = await v.call('POST', '/api/v1/auth/login', '{"email": 5,');
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_json');
    const wrongType = await v.call('POST', '/api/v1/auth/login', { email: 5, password: [] });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.error).toMatchObject({
      code: 'invalid_input',
      details: [expect.objectContaining({ path: expect.any(String) })],
    });
  });
});
