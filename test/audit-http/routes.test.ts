// The audit log through the API: security officers search, checkpoint, prove and verify; the
// exported bundle passes the standalone verifier a client company runs; agents get no access.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestVigil, type TestVigil } from '../helpers/app.ts';

describe('audit API', () => {
  let v: TestVigil;
  beforeAll(async () => {
    v = await startTestVigil();
    await v.tenant('aud-a');
    await v.tenant('aud-b');
  });
  afterAll(() => v.close());

  it('records role grants with actor and lets the security officer search, prove and verify', async () => {
    const admin = await v.makeUser([{ role: 'tenant_admin', tenant: 'aud-a' }]);
    const agent = await v.makeUser([{ role: 'agent', tenant: 'aud-a' }]);
    const so = await v.makeUser([{ role: 'security_officer', tenant: 'aud-a' }]);
    const sa = await v.login(admin);
    expect(
      (await v.call('POST', `/api/v1/tenants/aud-a/users/${agent.id}/roles`, { role: 'tenant_admin' }, sa))
        .status,
    ).toBe(200);
    const ss = await v.login(so);
    const ev = await v.call(
      'GET',
      `/api/v1/tenants/aud-a/audit/events?action=membership.grant`,
      undefined,
      ss,
    );
    expect(ev.status).toBe(200);
    expect(ev.json.events).toHaveLength(1);
    expect(ev.json.events[0]).toMatchObject({
      actorId: admin.id,
      resourceId: agent.id,
      outcome: 'success',
      meta: { role: 'tenant_admin', self: false },
    });
    expect(JSON.stringify(ev.json)).not.toContain(agent.email);

    const cp = await v.call('POST', '/api/v1/tenants/aud-a/audit/checkpoints', undefined, ss);
    expect(cp.status).toBe(200);
    const size = cp.json.checkpoint.treeSize;
    const proof = await v.call(
      'GET',
      `/api/v1/tenants/aud-a/audit/proofs/inclusion?seq=1&treeSize=${size}`,
      undefined,
      ss,
    );
    expect(proof.status).toBe(200);
    expect(proof.json.rootHash).toBe(cp.json.checkpoint.rootHash);
    const verify = await v.call('POST', '/api/v1/tenants/aud-a/audit/verify', undefined, ss);
    expect(verify.json.ok).toBe(true);

    const bundle = await v.call('GET', '/api/v1/tenants/aud-a/audit/bundle', undefined, ss);
    const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    writeFileSync(join(dir, 'b.json'), bundle.text);
    const out = execFileSync('node', ['tools/verify-audit-bundle.mjs', join(dir, 'b.json')], {
      encoding: 'utf8',
    });
    expect(out).toMatch(/ok|verified/i);
    const tampered = JSON.parse(bundle.text);
    tampered.events[0].action = 'membership.revoke';
    writeFileSync(join(dir, 't.json'), JSON.stringify(tampered));
    expect(() =>
      execFileSync('node', ['tools/verify-audit-bundle.mjs', join(dir, 't.json')], {
        encoding: 'utf8',
        stdio: 'pipe',
      }),
    ).toThrow();
  });

  it('agents cannot read the audit log; another tenant answers 404', async () => {
    const agent = await v.makeUser([{ role: 'agent', tenant: 'aud-a' }]);
    const so = await v.makeUser([{ role: 'security_officer', tenant: 'aud-b' }]);
    const s = await v.login(agent);
    expect((await v.call('GET', '/api/v1/tenants/aud-a/audit/events', undefined, s)).status).toBe(403);
    const sb = await v.login(so);
    expect((await v.call('GET', '/api/v1/tenants/aud-a/audit/events', undefined, sb)).status).toBe(404);
  });
});
