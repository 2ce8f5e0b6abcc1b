// HTTPS in Vigil itself: TLS 1.2 and 1.3 only, forward-secret AEAD suites for TLS 1.2 (the
// TLS 1.3 suites are all modern), and an optional plain-HTTP port that only redirects.
import { readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';
import type { Config } from '../platform/config.ts';

/** Mozilla "intermediate" TLS 1.2 suites: ECDHE key exchange, AES-GCM or ChaCha20-Poly1305. */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export function tlsServerOptions(
  config: Pick<Config, 'tlsCertFile' | 'tlsKeyFile'>,
): ServerOptions | undefined {
  if (!config.tlsCertFile || !config.tlsKeyFile) return undefined;
  return {
    cert: readFileSync(config.tlsCertFile),
    key: readFileSync(config.tlsKeyFile),
    minVersion: 'TLSv1.2',
    ciphers: TLS12_CIPHERS,
    honorCipherOrder: true,
  };
}

/** Fastify's serverFactory for HTTPS (Fastify's own `https` option changes its static types). */
export function httpsServerFactory(options: ServerOptions) {
  return (handler: (req: never, res: never) => void) =>
    createHttpsServer(options, handler as never) as unknown as HttpServer;
}

/**
 * A plain-HTTP listener that answers every request with a permanent redirect to HTTPS (and
 * nothing else: no API, no cookies). Without it, plain HTTP reaches only the TLS port and fails.
 */
export async function startHttpsRedirect(opts: {
  port: number;
  host: string;
  httpsPort: number;
  publicUrl: string | undefined;
}): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const host = (req.headers.host ?? opts.host).replace(/:\d+$/, '');
    const base = opts.publicUrl ?? `https://${host}:${opts.httpsPort}`;
    const path = (req.url ?? '/').startsWith('/') ? (req.url ?? '/') : '/';
    res.writeHead(308, { location: base + path, 'content-length': '0' });
    res.end();
  });
  await new Promise<void>((r) => server.listen(opts.port, opts.host, r));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : opts.port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
