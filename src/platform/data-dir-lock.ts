// One process per data directory. The server and every CLI command that opens the database take
// an flock(2) on <dataDir>/vigil.lock: exclusive on embedded PGlite (two PGlite instances on one
// directory silently overwrite each other's writes), shared with DATABASE_URL (several nodes may
// share key files; only `restore` needs the directory alone). The kernel drops an flock when its
// holder dies, kill -9 included, so a crashed process never leaves a stale lock and no liveness
// guessing is needed. Node has no flock binding: util-linux `flock -n 3` locks the open file
// description this process passes it as fd 3; the lock stays with that description, i.e. with
// this process, after the helper exits. The file holds who has it (pid, host, command, state)
// for the refusal message; it is never deleted (deleting a flock file races new lockers).
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export type LockMode = 'exclusive' | 'shared';

export interface LockHolder {
  pid: number;
  hostname: string;
  command: string;
  since: string;
  /** 'stopping' while a server shuts down: a command may wait for it instead of refusing. */
  state: 'running' | 'stopping';
  /** Where a running embedded server serves read-only CLI commands (control/socket.ts). */
  controlSocket?: string;
}

export interface DataDirLock {
  readonly mode: LockMode;
  markStopping(): void;
  /** Records the holder's control socket for the CLI (exclusive holders only). */
  setControlSocket(path: string | undefined): void;
  release(): void;
}

/** Exit code of a command refused because the data directory is in use (sysexits EX_TEMPFAIL). */
export const EXIT_DATA_DIR_BUSY = 75;

export class DataDirBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
    action: string,
  ) {
    const who = holder
      ? `vigil ${holder.command} (pid ${holder.pid}${holder.hostname === hostname() ? '' : ` on ${holder.hostname}`}, since ${holder.since})`
      : 'another vigil process';
    super(`data directory ${dataDir} is in use by ${who}; ${action}`);
  }
}

export const lockFileOf = (dataDir: string) => join(dataDir, 'vigil.lock');

export function readLockHolder(dataDir: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(lockFileOf(dataDir), 'utf8')) as LockHolder;
    return typeof h.pid === 'number' ? h : null;
  } catch {
    return null;
  }
}

type TryLock = (fd: number, mode: LockMode) => boolean;

/** flock(2) through util-linux; null when the binary is missing (then the pid fallback). */
const flockOnce = (fd: number, mode: LockMode): boolean | null => {
  const r = spawnSync('flock', [mode === 'exclusive' ? '-xn' : '-sn', '3'], {
    stdio: ['ignore', 'ignore', 'ignore', fd],
  });
  if (r.error) return null;
  return r.status === 0;
};

/** Without flock(1) (not Linux): a recorded holder that is still alive blocks (best effort). */
const heldByLiveProcess = (h: LockHolder | null): boolean => {
  if (!h || h.pid === process.pid) return false;
  if (h.hostname !== hostname()) return true; // another host's pid cannot be checked from here
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function tryLockFor(dataDir: string): TryLock {
  return (fd, mode) => {
    const r = flockOnce(fd, mode);
    return r ?? !heldByLiveProcess(readLockHolder(dataDir));
  };
}

export interface LockOptions {
  mode: LockMode;
  /** What the holder is, for the other side's message: 'serve', 'backup', … */
  command: string;
  /** What the refused user should do (the end of the one-line message). */
  action?: string;
  /** How long to wait for a holder that is shutting down (default 15 s). */
  waitForStoppingMs?: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes the data-directory lock or throws DataDirBusyError naming the holder. */
export async function lockDataDir(dataDir: string, o: LockOptions): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const fd = openSync(lockFileOf(dataDir), 'a+', 0o600);
  const tryLock = tryLockFor(dataDir);
  const until = Date.now() + (o.waitForStoppingMs ?? 15_000);
  while (!tryLock(fd, o.mode)) {
    const holder = readLockHolder(dataDir);
    if (holder?.state !== 'stopping' || Date.now() > until) {
      closeSync(fd);
      throw new DataDirBusyError(dataDir, holder, o.action ?? 'stop it first, then run this again');
    }
    await pause(100);
  }
  let controlSocket: string | undefined;
  let state: LockHolder['state'] = 'running';
  const record = () => {
    if (o.mode !== 'exclusive') return; // shared holders are many; none owns the file's text
    const h: LockHolder = {
      pid: process.pid,
      hostname: hostname(),
      command: o.command,
      since,
      state,
      ...(controlSocket ? { controlSocket } : {}),
    };
    ftruncateSync(fd, 0);
    writeSync(fd, `${JSON.stringify(h)}\n`, 0);
  };
  const since = new Date().toISOString();
  record();
  let released = false;
  return {
    mode: o.mode,
    markStopping: () => {
      state = 'stopping';
      if (!released) record();
    },
    setControlSocket: (path) => {
      controlSocket = path;
      if (!released) record();
    },
    release() {
      if (released) return;
      released = true;
      if (o.mode === 'exclusive') ftruncateSync(fd, 0);
      closeSync(fd);
    },
  };
}
