// Vigil's PostgreSQL connection with `sslmode=verify-full`: the server certificate must chain to
// the configured CA and name the host. A minimal PostgreSQL-speaking TLS endpoint (SSLRequest →
// 'S' → TLS handshake) stands in for a TLS-enabled server, so the handshake itself is observed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-pgtls-'));
const cert = (name: string, san: string) => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=${san}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-keyout',
      join(dir, `${name}.key`),
      '-out',
      join(dir, `${name}.crt`),
    ],
    { stdio: 'ignore' },
  );
  return { key: join(dir, `${name}.key`), crt: join(dir, `${name}.crt`) };
};

describe('PostgreSQL over TLS with sslmode=verify-full', () => {
  let server: Server;
  let port: number;
  const handshakes: string[] = [];
  let serverCert: { key: string; crt: string };
  let otherCa: { key: string; crt: string };

  beforeAll(async () => {
    serverCert = cert('localhost', 'DNS:localhost');
    otherCa = cert('other-ca', 'DNS:other-ca');
    server = createServer((socket) => {
      socket.once('data', (first) => {
        // SSLRequest: length 8, code 80877103.
        if (first.length !== 8 || first.readInt32BE(4) !== 80877103) return socket.destroy();
        socket.write('S');
        const tls = new TLSSocket(socket, {
          isServer: true,
          key: readFileSync(serverCert.key),
          cert: readFileSync(serverCert.crt),
          minVersion: 'TLSv1.2',
        });
        tls.on('secure', () => {
          handshakes.push(String(tls.getProtocol()));
          // Handshake done; this stand-in speaks no further protocol.
          tls.end();
        });
        tls.on('error', () => {});
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  async function connect(host: string, ca: string): Promise<string> {
    const db = await openDatabase({
      databaseUrl: `postgres://vigil@${host}:${port}/vigil?sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`,
    });
    try {
      await db.ping();
      return 'connected';
    } catch (e) {
      // Drizzle wraps the driver's error: report the innermost code and message.
      let cur = e as { code?: string; message?: string; cause?: unknown };
      while (cur.cause) cur = cur.cause as typeof cur;
      return `${cur.code ?? ''} ${cur.message ?? ''}`;
    } finally {
      await db.close().catch(() => {});
    }
  }

  it('completes the TLS handshake when the certificate chains to the configured CA and names the host', async () => {
    const before = handshakes.length;
    const r = await connect('localhost', serverCert.crt);
    expect(handshakes.length).toBe(before + 1);
    expect(handshakes.at(-1)).toMatch(/^TLSv1\.[23]$/);
    // The stand-in closes after the handshake: a protocol error, not a certificate error.
    expect(r).not.toMatch(/CERT|self.signed|verify/i);
    expect(r).toMatch(/Connection terminated|ECONNRESET|closed/i);
  });

  it('refuses a server certificate from another CA', async () => {
    const before = handshakes.length;
    const r = await connect('localhost', otherCa.crt);
    expect(r).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|unable to verify|self.signed/i);
    expect(handshakes.length).toBe(before);
  });

  it('refuses a certificate that does not name the host (verify-full checks the name)', async () => {
    const r = await connect('127.0.0.1', serverCert.crt);
    expect(r).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|altnames|does not match/i);
  });
});
