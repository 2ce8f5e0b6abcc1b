// The web consoles: the built single-page app from web/dist under `/`, hashed files under /assets
// (immutable, cached for a year), and the SPA fallback for console paths (/app/...), never cached
// without revalidation. Both precompressed (brotli, gzip). Helmet's strict CSP applies to every answer.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WEB_ROOT = join(repoRoot, 'web');
export const WEB_DIST = join(WEB_ROOT, 'dist');
const rule = { auth: { public: 'console static assets' } };

export interface WebOptions {
  /** Directory of the built bundle (default web/dist). */
  dist?: string;
  /** Build the bundle in the background when it is missing (default: yes, except under Vitest). */
  buildIfMissing?: boolean;
  log?: { info(msg: string): void; error(obj: unknown, msg: string): void };
}

let building: Promise<boolean> | null = null;

/** Runs `vite build` once in a child process; the API keeps serving meanwhile. */
export function buildWebBundle(log?: WebOptions['log']): Promise<boolean> {
  building ??= new Promise<boolean>((resolve) => {
    const vite = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
    if (!existsSync(vite)) {
      log?.error({}, 'web console: vite is not installed (npm ci); the console is unavailable');
      resolve(false);
      return;
    }
    log?.info('web console: web/dist is missing, building it once in the background (vite build)');
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
      cwd: WEB_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-2000);
    });
    child.on('exit', (code) => {
      if (code === 0) log?.info('web console: built');
      else log?.error({ code, stderr: err }, 'web console: build failed');
      building = null;
      resolve(code === 0);
    });
  });
  return building;
}

const PENDING_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vigil</title>
<meta http-equiv="refresh" content="5"></head><body><h1>Vigil</h1>
<p>The console is being built; this page reloads in a few seconds.</p></body></html>`;

export async function webRoutes(app: FastifyInstance, opts: WebOptions = {}): Promise<void> {
  const dist = opts.dist ?? WEB_DIST;
  const indexFile = join(dist, 'index.html');
  const buildIfMissing = opts.buildIfMissing ?? !process.env.VITEST;
  if (!existsSync(indexFile) && buildIfMissing) void buildWebBundle(opts.log);

  // The build writes .br and .gz next to every text file; the best one the client accepts is sent
  // (with Vary: Accept-Encoding), the plain file otherwise.
  await app.register(fastifyStatic, { root: dist, serve: false, preCompressed: true });

  const sendIndex = (reply: FastifyReply) => {
    if (!existsSync(indexFile))
      return reply.status(503).header('retry-after', '5').type('text/html; charset=utf-8').send(PENDING_HTML);
    return reply.header('cache-control', 'no-cache').sendFile('index.html', dist, { cacheControl: false });
  };

  app.get('/', { config: rule, schema: { hide: true } }, (_req, reply) => sendIndex(reply));
  app.get('/app', { config: rule, schema: { hide: true } }, (_req, reply) => sendIndex(reply));
  app.get('/app/*', { config: rule, schema: { hide: true } }, (_req, reply) => sendIndex(reply));
  app.get('/assets/*', { config: rule, schema: { hide: true } }, (req, reply) => {
    const file = (req.params as { '*': string })['*'];
    if (!/^[\w.-]+$/.test(file))
      return reply.status(404).send({ error: { code: 'not_found', message: 'not found' } });
    // Hashed names: cache for a year.
    return reply.sendFile(file, join(dist, 'assets'), { maxAge: 31_536_000_000, immutable: true });
  });
}
