// Per-tenant SIEM sinks through the API and the running server's exporter: only the tenant's own
// events reach its webhook, signed, in order; after the receiver was down (a minute by default)
// nothing is missing and nothing is out of order; secrets are sealed and never returned.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCef } from '../../src/audit/formats.ts';
import { assertPublicTarget } from '../../src/audit/tenant-sinks.ts';
import type { AuditEvent } from '../../src/audit/types.ts';
import { rows } from '../../src/platform/db.ts';
import { SIGNATURE_HEADER, verifyWebhook } from '../../src/platform/webhook-signature.ts';
import { type Session, startTestVigil, type TestVigil } from '../helpers/app.ts';

const DOWN_MS = Number(process.env.VIGIL_TEST_SINK_DOWN_MS ?? 60_000);

interface Receiver {
  url: string;
  batches: { tenant: string; format: string; events: unknown[] }[];
  badSignatures: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

async function receiver(secret: string): Promise<Receiver> {
  const r = { batches: [], badSignatures: 0 } as unknown as Receiver;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (!verifyWebhook(secret, body, String(req.headers[SIGNATURE_HEADER]), Date.now())) {
        r.badSignatures++;
        res.writeHead(401).end();
        return;
      }
      r.batches.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  };
  let server: Server = createServer(handler);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${port}/siem`;
  const close = () =>
    new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    });
  r.down = close;
  r.close = close;
  r.up = async () => {
    server = createServer(handler);
    await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  };
  return r;
}

const until = async (what: string, ok: () => Promise<boolean> | boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

describe('per-tenant SIEM sinks', () => {
  let v: TestVigil;
  let a: string;
  let so: Session;
  let adminB: Session;
  let agent: Session;
  const secretA = 'tenant-a-secret-0123456789';
  const secretB = 'tenant-b-secret-0123456789';
  let ra: Receiver;
  let rb: Receiver;

  beforeAll(async () => {
    v = await startTestVigil({ siemAllowPrivateTargets: true });
    a = await v.tenant('sink-a');
    await v.tenant('sink-b');
    so = await v.login(await v.makeUser([{ role: 'security_officer', tenant: 'sink-a' }]));
    adminB = await v.login(await v.makeUser([{ role: 'tenant_admin', tenant: 'sink-b' }]));
    agent = await v.login(await v.makeUser([{ role: 'agent', tenant: 'sink-a' }]));
    ra = await receiver(secretA);
    rb = await receiver(secretB);
  });
  afterAll(async () => {
    await ra?.close();
    await rb?.close();
    await v?.close();
  });

  // Real events only: the test-send is seq 0, outside the log; CEF batches are checked apart.
  const seqsOf = (r: Receiver) =>
    r.batches
      .filter((b) => b.format === 'ocsf')
      .flatMap((b) => (b.events as { metadata: { sequence: number } }[]).map((e) => e.metadata.sequence))
      .filter((q) => q > 0);
  const head = async (tenantId: string) => {
    const [h] = await v.core.db.withOwner((tx) =>
      rows<{ s: number | string }>(
        tx,
        sql`select last_seq as s from audit_heads where tenant_id = ${tenantId}::uuid`,
      ),
    );
    return Number(h?.s ?? 0);
  };

  it('lets the security officer configure a sink; agents and other tenants cannot', async () => {
    const base = '/api/v1/tenants/sink-a/audit/sinks';
    expect(
      (await v.call('POST', base, { name: 'x', url: ra.url, secret: secretA, format: 'ocsf' }, agent)).status,
    ).toBe(403);
    expect((await v.call('GET', base, undefined, adminB)).status).toBe(404);
    expect(
      (await v.call('POST', base, { name: 'bad', url: ra.url, secret: 'short', format: 'ocsf' }, so)).status,
    ).toBe(400);
    expect(
      (await v.call('POST', base, { name: 'bad', url: ra.url, secret: secretA, format: 'syslog' }, so))
        .status,
    ).toBe(400);

    const created = await v.call(
      'POST',
      base,
      { name: 'SOC webhook', url: ra.url, secret: secretA, format: 'ocsf' },
      so,
    );
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'SOC webhook', format: 'ocsf', enabled: true });
    expect(JSON.stringify(created.json)).not.toContain(secretA);
    expect(
      (await v.call('POST', base, { name: 'SOC webhook', url: ra.url, secret: secretA, format: 'json' }, so))
        .status,
    ).toBe(409);
    const [stored] = await v.core.db.withOwner((tx) =>
      rows<{ s: Uint8Array }>(
        tx,
        sql`select secret_enc as s from audit_tenant_sinks where id = ${created.json.id}::uuid`,
      ),
    );
    expect(Buffer.from(stored!.s).includes(Buffer.from(secretA))).toBe(false);

    const test = await v.call('POST', `${base}/${created.json.id}/test`, undefined, so);
    expect(test.json).toMatchObject({ delivered: true, status: 204 });
    const testBatch = ra.batches.find(
      (x) => (x.events[0] as { metadata: { sequence: number } }).metadata.sequence === 0,
    );
    expect(testBatch?.events).toMatchObject([{ metadata: { sequence: 0 }, message: 'audit_sink.test' }]);

    const b = await v.call(
      'POST',
      '/api/v1/tenants/sink-b/audit/sinks',
      { name: 'B', url: rb.url, secret: secretB, format: 'json' },
      adminB,
    );
    expect(b.status).toBe(201);
    const ev = await v.call(
      'GET',
      `/api/v1/tenants/sink-a/audit/events?action=audit_sink.create`,
      undefined,
      so,
    );
    expect(ev.json.events).toHaveLength(1);
    expect(ev.json.events[0]).toMatchObject({ resourceId: created.json.id, meta: { format: 'ocsf' } });
  });

  it(
    'delivers only the tenant’s own events, in order, and catches up after the receiver was down',
    async () => {
      for (let i = 0; i < 5; i++) await v.call('GET', '/api/v1/tenants/sink-a/audit/events', undefined, so);
      await until('first delivery', async () => seqsOf(ra).at(-1) === (await head(a)), 30_000);

      await ra.down();
      const downAt = Date.now();
      // The product keeps working while the sink is dead: requests are not slowed by it.
      for (let i = 0; i < 10; i++) {
        const t = Date.now();
        expect((await v.call('GET', '/api/v1/tenants/sink-a/audit/events', undefined, so)).status).toBe(200);
        expect(Date.now() - t).toBeLessThan(5000);
      }
      await until(
        'a recorded failure',
        async () => {
          const l = await v.call('GET', '/api/v1/tenants/sink-a/audit/sinks', undefined, so);
          return l.json.sinks[0].failures > 0 && l.json.sinks[0].lastError === 'connection failed';
        },
        30_000,
      );
      await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - downAt))));
      await ra.up();
      await until('catch-up', async () => seqsOf(ra).at(-1) === (await head(a)), 90_000);

      const seqs = seqsOf(ra);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      expect(ra.badSignatures).toBe(0);
      for (const batch of ra.batches) {
        expect(batch.tenant).toBe(a);
        for (const e of batch.events as { metadata: { tenant_uid: string }; class_uid: number }[]) {
          expect(e.metadata.tenant_uid).toBe(a);
          expect(e.class_uid).toBeGreaterThan(0);
        }
      }
      // Tenant B's receiver got B's events only, in the plain JSON format.
      await until('tenant b delivery', () => rb.batches.length > 0, 30_000);
      for (const batch of rb.batches)
        for (const e of batch.events as AuditEvent[]) expect(e.tenantId).not.toBe(a);
      const delivered = seqs.at(-1) as number;
      const status = await v.call('GET', '/api/v1/tenants/sink-a/audit/sinks', undefined, so);
      expect(status.json.sinks[0]).toMatchObject({ failures: 0, lastError: null });
      // Listing is itself audited, so the head may be one ahead of what was delivered.
      expect(status.json.sinks[0].deliveredSeq).toBeGreaterThanOrEqual(delivered);
      expect(status.json.sinks[0].headSeq).toBeGreaterThan(delivered);
    },
    DOWN_MS + 240_000,
  );

  it('stops delivering when disabled, resumes from its cursor when enabled, and forgets it when deleted', async () => {
    const list = await v.call('GET', '/api/v1/tenants/sink-a/audit/sinks', undefined, so);
    const id = list.json.sinks[0].id as string;
    expect(
      (await v.call('PATCH', `/api/v1/tenants/sink-a/audit/sinks/${id}`, { enabled: false }, so)).status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 1500)); // a pump that was already running may finish
    const before = ra.batches.length;
    for (let i = 0; i < 3; i++) await v.call('GET', '/api/v1/tenants/sink-a/audit/events', undefined, so);
    await new Promise((r) => setTimeout(r, 2500));
    expect(ra.batches.length).toBe(before);
    const lastSeq = Math.max(...seqsOf(ra));
    const enable = await v.call(
      'PATCH',
      `/api/v1/tenants/sink-a/audit/sinks/${id}`,
      { enabled: true, format: 'cef' },
      so,
    );
    expect(enable.status).toBe(200);
    await until('resumed delivery', () => ra.batches.some((b) => b.format === 'cef'), 30_000);
    const cef = ra.batches.filter((b) => b.format === 'cef').flatMap((b) => b.events as string[]);
    // Resumes right after the last event delivered before it was disabled: nothing missed.
    expect(cef[0]).toMatch(
      new RegExp(`^CEF:0\\|Vigil\\|Vigil\\|1\\.0\\|[a-z_.]+\\|.*externalId=${a}:${lastSeq + 1} `),
    );
    expect((await v.call('DELETE', `/api/v1/tenants/sink-a/audit/sinks/${id}`, undefined, so)).status).toBe(
      204,
    );
    expect(
      (await v.call('POST', `/api/v1/tenants/sink-a/audit/sinks/${id}/test`, undefined, so)).status,
    ).toBe(404);
  }, 60_000);

  it('lets tenant admins set the audit retention (30 days to 10 years; default 365)', async () => {
    const path = '/api/v1/tenants/sink-b/audit/retention';
    expect((await v.call('GET', path, undefined, adminB)).json).toEqual({ days: 365, isDefault: true });
    expect((await v.call('PUT', path, { days: 10 }, adminB)).status).toBe(400);
    expect((await v.call('PUT', '/api/v1/tenants/sink-a/audit/retention', { days: 90 }, so)).status).toBe(
      403,
    );
    const put = await v.call('PUT', path, { days: 90 }, adminB);
    expect(put.json).toEqual({ days: 90, isDefault: false });
    expect((await v.call('GET', path, undefined, adminB)).json).toEqual({ days: 90, isDefault: false });
  });

  it('formats CEF with escaping and refuses private webhook targets by default', async () => {
    const e: AuditEvent = {
      tenantId: 't1',
      seq: 3,
      time: '2026-01-01T00:00:00.000Z',
      actorType: 'user',
      actorId: 'u=1',
      action: 'customer.read',
      resourceType: 'customer',
      resourceId: 'c|1',
      outcome: 'denied',
      reason: 'a\\b',
      ip: null,
      uaHash: null,
      requestId: null,
      meta: {},
      prevHash: '00',
      hash: 'ab',
    };
    expect(toCef(e)).toBe(
      'CEF:0|Vigil|Vigil|1.0|customer.read|customer.read|7|rt=1767225600000 externalId=t1:3 act=customer.read outcome=denied suser=u\\=1 cs1Label=actorType cs1=user cs2Label=resourceType cs2=customer cs3Label=resourceId cs3=c|1 cs4Label=tenant cs4=t1 cs5Label=reason cs5=a\\\\b cs6Label=eventHash cs6=ab cn1Label=sequence cn1=3',
    );
    for (const url of [
      'http://127.0.0.1:9/x',
      'http://10.1.2.3/x',
      'http://[::1]/x',
      'http://169.254.169.254/latest',
      'http://localhost/x',
    ]) {
      await expect(assertPublicTarget(url)).rejects.toThrow(/public address|does not resolve/);
    }
    await expect(assertPublicTarget('https://93.184.216.34/hook')).resolves.toBeUndefined();
  });
});
