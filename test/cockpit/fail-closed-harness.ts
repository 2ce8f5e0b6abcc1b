/// <reference types="chrome" />
// Harness for the fail-closed browser test: two client tools and an unlisted site served on
// loopback ports under *.test host names (Chromium maps them to 127.0.0.1, so cookies are per
// tool as on real hosts), a TCP relay in front of Vigil that can be cut (Vigil unreachable from
// the browser), a helper extension that can disable the Cockpit like a user on
// chrome://extensions, and polling with deadlines.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcp, type Socket, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';

export interface ToolSite {
  server: Server;
  port: number;
  /** Requests seen: method, path and whether a cookie came with them. */
  hits: Array<{ method: string; path: string; cookie: boolean; sso: boolean }>;
}

const PAGE = (title: string) => `<!doctype html><title>${title}</title><h1>${title}</h1>
  <a id="to-a" href="">to tool A</a><form id="f" method="post" action="/admin/refunds"><button>refund</button></form>`;

/** A small "client tool": sets a session cookie, answers any path with a page or JSON. */
export function startSite(name: string): Promise<ToolSite> {
  const hits: ToolSite['hits'] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.push({
      method: req.method ?? 'GET',
      path,
      cookie: /tool_session=/.test(req.headers.cookie ?? ''),
      sso: /tool_sso=/.test(req.headers.cookie ?? ''),
    });
    if (req.method !== 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"ok":true}');
    }
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'set-cookie': [
        `tool_session=${name}-secret; Path=/; HttpOnly`,
        // Sent cross-site too (SSO-style tools): what 'strip_cookies' is about.
        `tool_sso=${name}-sso; Path=/; SameSite=None; Secure`,
      ],
    });
    res.end(PAGE(`${name} ${path}`));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as { port: number }).port, hits }),
    ),
  );
}

/** A relay to Vigil's port that can be cut and restored on the same port. */
export async function startRelay(targetPort: number) {
  const sockets = new Set<Socket>();
  let server: ReturnType<typeof createTcp> | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createTcp((client) => {
        const upstream = tcpConnect(targetPort, '127.0.0.1');
        for (const x of [client, upstream]) {
          sockets.add(x);
          x.on('close', () => sockets.delete(x));
          x.on('error', () => x.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as { port: number }).port;
        server = s;
        resolve();
      });
    });
  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    async cut() {
      const s = server;
      server = null;
      const closed = new Promise<void>((r) => (s ? s.close(() => r()) : r()));
      for (const x of sockets) x.destroy(); // close() waits for open connections
      await closed;
    },
    restore: listen,
    async close() {
      await this.cut();
    },
  };
}

/** An extension with the management permission: disables another one, as a user would. */
export function writeHelperExtension(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({
      manifest_version: 3,
      name: 'cockpit-test-helper',
      version: '1.0',
      permissions: ['management'],
      background: { service_worker: 'sw.js' },
    }),
  );
  writeFileSync(join(dir, 'sw.js'), '// evaluated into by the test\n');
  return dir;
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const x = await fn().catch(() => undefined);
    if (x) return x;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
