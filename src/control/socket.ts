// The control socket of an embedded (PGlite) server: a Unix socket of mode 0600 in a private
// 0700 directory under the system temp dir (a short path: sun_path holds ~100 bytes, data-dir
// paths can be longer), recorded in the data-dir lock file, which only the owner can read. One
// request per connection: a JSON line {op, params}; one JSON line back {code, stdout, stderr}.
// Only the read-only commands in ./commands.ts are served; everything that changes data refuses
// while the server runs (see platform/data-dir-lock.ts).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLockHolder } from '../platform/data-dir-lock.ts';
import { type CommandCore, type ControlOp, controlCommands, isControlOp } from './commands.ts';

const MAX_REQUEST_BYTES = 64 * 1024;

/** The socket of the server holding dataDir, as its lock file says (null: none). */
export const controlSocketPath = (dataDir: string): string | null =>
  readLockHolder(dataDir)?.controlSocket ?? null;

export interface ControlReply {
  code: number;
  stdout: string;
  stderr: string;
}

async function serve(core: CommandCore, line: string): Promise<ControlReply> {
  const out = { stdout: '', stderr: '' };
  const sink = {
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s) },
  };
  let req: { op?: unknown; params?: unknown };
  try {
    req = JSON.parse(line) as typeof req;
  } catch {
    return { code: 2, stdout: '', stderr: 'vigil: bad control request\n' };
  }
  if (!isControlOp(req.op)) return { code: 2, stdout: '', stderr: 'vigil: not a control command\n' };
  try {
    // biome-ignore lint/suspicious/noExplicitAny: params were produced by this command's own parse()
    const code = await controlCommands[req.op].run(core, req.params as any, sink);
    return { code, ...out };
  } catch (e) {
    return {
      code: 1,
      stdout: out.stdout,
      stderr: `${out.stderr}vigil: ${(e as Error).message.split('\n')[0]}\n`,
    };
  }
}

/** Connections that have not sent their request yet: shutdown drops them, never waits on them. */
function onConnection(core: CommandCore, sock: Socket, idle: Set<Socket>) {
  let buf = '';
  idle.add(sock);
  sock.setEncoding('utf8');
  sock.on('error', () => {});
  sock.on('close', () => idle.delete(sock));
  sock.on('data', (d: string) => {
    buf += d;
    if (buf.length > MAX_REQUEST_BYTES) return void sock.destroy();
    const nl = buf.indexOf('\n');
    if (nl < 0) return;
    idle.delete(sock);
    sock.pause();
    void serve(core, buf.slice(0, nl)).then((r) => sock.end(`${JSON.stringify(r)}\n`));
  });
}

export interface ControlServer {
  path: string;
  /** Stops accepting; resolves when the requests in progress have answered. */
  close(): Promise<void>;
}

/** Listens on a new control socket; the caller records its path in the data-dir lock. */
export async function startControlSocket(core: CommandCore): Promise<ControlServer> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-ctl-')); // mode 0700
  const path = join(dir, 'sock');
  const idle = new Set<Socket>();
  const server: Server = createServer((s) => onConnection(core, s, idle));
  const umask = process.umask(0o177);
  try {
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(path, () => res());
    });
  } finally {
    process.umask(umask);
  }
  chmodSync(path, 0o600);
  return {
    path,
    close: () =>
      new Promise<void>((res) => {
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          res();
        });
        for (const s of idle) s.destroy();
      }),
  };
}

/** Runs a read-only command in the server that holds dataDir; null when no server answers. */
export function callControl(dataDir: string, op: ControlOp, params: unknown): Promise<ControlReply | null> {
  const path = controlSocketPath(dataDir);
  if (!path) return Promise.resolve(null);
  return new Promise((res) => {
    const sock = connect(path);
    let buf = '';
    let answered = false;
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify({ op, params })}\n`));
    sock.on('data', (d: string) => {
      buf += d;
    });
    sock.on('end', () => {
      try {
        answered = true;
        res(JSON.parse(buf) as ControlReply);
      } catch {
        res(null);
      }
    });
    sock.on('error', () => {
      if (!answered) res(null);
    });
    sock.on('close', () => {
      if (!answered) res(null);
    });
  });
}
