// Where log lines go when nobody passes a destination: stdout, written so that a broken or
// stalled log pipe never blocks or crashes the server. pino's default destination (sonic-boom)
// retries a failed synchronous flush forever: when the process exits after the reader of its
// stdout died, its exit-time flushSync gets EPIPE, sleeps 100 ms and tries again, for ever — a
// server that closed its port but never exits and keeps its data directory locked.
// Here: lines are written at once while the pipe takes them (ordered, nothing left behind at
// exit), queued (bounded) while it is full, and dropped for good once it is broken.
import { writeSync } from 'node:fs';

const MAX_QUEUED_BYTES = 8 * 1024 * 1024;
const RETRY_MS = 50;

export interface StdioLogDestination {
  write(line: string): void;
  /** One non-blocking attempt to write what is queued (before process.exit). */
  flushNow(): void;
  /** Lines dropped because the pipe was broken or its queue full. */
  dropped(): number;
}

/**
 * Makes fds 1 and 2 non-blocking (libuv does so when it opens a pipe for process.stdout and
 * process.stderr) and gives both streams an error listener, so an EPIPE on a console write is
 * ignored instead of crashing the process with an unhandled 'error' event.
 */
export function guardStdio(): void {
  for (const s of [process.stdout, process.stderr]) {
    if (s.listenerCount('error') === 0) s.on('error', () => {});
  }
}

export function createStdioLogDestination(fd = 1): StdioLogDestination {
  guardStdio();
  let broken = false;
  let queue: Buffer[] = [];
  let queued = 0;
  let dropped = 0;
  let timer: NodeJS.Timeout | undefined;

  /** Writes from the queue until it is empty or the fd would block; never waits. */
  const drain = () => {
    while (queue.length && !broken) {
      const head = queue[0]!;
      let n: number;
      try {
        n = writeSync(fd, head);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return schedule();
        broken = true; // EPIPE, EBADF, ENOSPC …: logging stops, serving goes on
        dropped += queue.length;
        queue = [];
        queued = 0;
        return;
      }
      queued -= n;
      if (n < head.length) queue[0] = head.subarray(n);
      else queue.shift();
    }
  };
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      drain();
    }, RETRY_MS);
    timer.unref();
  };
  return {
    write(line) {
      if (broken || queued + line.length > MAX_QUEUED_BYTES) {
        dropped++;
        return;
      }
      const b = Buffer.from(line);
      queue.push(b);
      queued += b.length;
      if (!timer) drain();
    },
    flushNow: drain,
    dropped: () => dropped,
  };
}
