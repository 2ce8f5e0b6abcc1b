// Finding 11a (pen test, issue 20): a traversal attempt on /docs/static/.. answered
// 403 csrf_failed (the first code that happens to map to 403). It answers 404 not_found now,
// signed in or with public documentation, whatever spelling of ".." is sent.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';
import { testDbKind } from '../helpers/db.ts';

/** A raw GET: fetch() would normalise the dot segments away before they reach the server. */
function rawGet(base: string, path: string, cookie?: string): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: 'GET',
        headers: cookie ? { cookie, 'user-agent': 'vigil-test' } : {},
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    r.on('error', reject);
    r.end();
  });
}

const ATTEMPTS = [
  '/docs/static/..',
  '/docs/static/../../package.json',
  '/docs/static/%2e%2e/%2e%2e/package.json',
  '/docs/static/..%2f..%2f.env',
  '/docs/static/.hidden',
];

describe(`/docs/static traversal (${testDbKind})`, () => {
  let v: TestVigil;
  let pub: TestVigil;
  let s: Session;

  beforeAll(async () => {
    v = await startTestVigil();
    pub = await startTestVigil({ publicDocs: true });
    s = await v.login(await v.makeUser([{ role: 'agent', tenant: 'trav-a' }]));
  }, 300_000);
  afterAll(async () => {
    await v.close();
    await pub.close();
  });

  it('answers 404 not_found, never 403 csrf_failed, and never a file outside the static root', async () => {
    for (const path of ATTEMPTS) {
      for (const [base, cookie] of [
        [v.url, s.cookie],
        [pub.url, undefined],
      ] as const) {
        const r = await rawGet(base, path, cookie);
        expect(r.status, path).toBe(404);
        expect(JSON.parse(r.body).error.code, path).toBe('not_found');
        expect(r.body).not.toContain('"dependencies"');
      }
    }
  });

  it('without a session the documentation answers 401 before any path handling', async () => {
    const r = await rawGet(v.url, '/docs/static/../../package.json');
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body).error.code).toBe('unauthenticated');
  });
});
