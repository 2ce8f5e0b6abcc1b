// The default log destination on a real pipe (a FIFO): lines arrive in order while the reader
// reads, queue without blocking while it does not, and once the reader is gone (EPIPE) writing
// and the exit-time flush neither throw nor spin (pino's default retried EPIPE for ever at exit).
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStdioLogDestination } from '../../src/platform/log-destination.ts';

function fifo() {
  const path = join(mkdtempSync(join(tmpdir(), 'vigil-fifo-')), 'log');
  execFileSync('mkfifo', [path]);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  const readAll = () => {
    const buf = Buffer.alloc(1 << 16);
    let out = '';
    for (;;) {
      try {
        const n = readSync(reader, buf);
        if (n <= 0) return out;
        out += buf.subarray(0, n).toString();
      } catch {
        return out; // EAGAIN: nothing more right now
      }
    }
  };
  return { reader, writer, readAll };
}

describe('stdio log destination', () => {
  it('writes in order, queues while the pipe is full, never blocks', async () => {
    const p = fifo();
    const d = createStdioLogDestination(p.writer);
    const line = (i: number) => `${JSON.stringify({ i, pad: 'x'.repeat(1000) })}\n`;
    for (let i = 0; i < 300; i++) d.write(line(i)); // ~300 KB: more than a pipe holds
    let got = '';
    const until = Date.now() + 10_000;
    while (got.split('\n').length <= 300 && Date.now() < until) {
      got += p.readAll();
      await new Promise((r) => setTimeout(r, 10));
    }
    const ids = got
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { i: number }).i);
    expect(ids).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(d.dropped()).toBe(0);
    closeSync(p.reader);
    closeSync(p.writer);
  });

  it('drops lines once the reader is gone, without throwing or spinning', () => {
    const p = fifo();
    const d = createStdioLogDestination(p.writer);
    d.write('{"before":true}\n');
    expect(p.readAll()).toBe('{"before":true}\n');
    closeSync(p.reader); // the reading end dies: the next write gets EPIPE
    for (let i = 0; i < 10; i++) d.write(`{"after":${i}}\n`);
    const t0 = performance.now();
    d.flushNow();
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(d.dropped()).toBe(10);
    closeSync(p.writer);
  });
});
