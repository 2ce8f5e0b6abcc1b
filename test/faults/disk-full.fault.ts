// Disk full on the embedded data directory (a small tmpfs mounted for the test): the sender gets
// a clear temporary error (HTTP 503, SMTP 451), nothing is acknowledged that was not stored, and
// once space is back the server takes messages again and a restart shows every acknowledged one.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { postWidget, widgetTexts } from './cli.ts';
import { tempDir } from './servers.ts';
import { prepare } from './setup.ts';

/** Mounting needs root (CAP_SYS_ADMIN); without it the test says why it cannot run. */
function mountTmpfs(sizeMb: number): string | null {
  const dir = tempDir('vigil-full-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', dir], {
      stdio: 'pipe',
    });
    return dir;
  } catch (e) {
    console.log(
      `disk-full fault test skipped: cannot mount a tmpfs (${(e as Error).message.split('\n')[0]})`,
    );
    return null;
  }
}

/** Fills the file system with one file until ENOSPC; returns its path (remove it to free space). */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  return path;
}

const INBOUND = 'support@full.test';

describe('fault: disk full on the embedded data directory', () => {
  const mount = process.getuid?.() === 0 ? mountTmpfs(160) : null;
  if (!mount && process.getuid?.() !== 0) console.log('disk-full fault test skipped: not running as root');
  afterAll(() => {
    if (!mount) return;
    try {
      execFileSync('umount', ['-l', mount]);
      rmSync(mount, { recursive: true, force: true });
    } catch {}
  });

  it.runIf(!!mount)(
    'answers 503 and SMTP 451 while full, acknowledges nothing it did not store, recovers',
    async () => {
      const dataDir = join(mount!, 'data');
      mkdirSync(dataDir, { mode: 0o700 });
      const f = await prepare('', { VIGIL_DATA_DIR: dataDir }, async (db, w) => {
        await db.withOwner((tx) =>
          tx.execute(
            sql`insert into email_inbound_addresses (tenant_id, address, queue_id) values (${w.tenantId}, ${INBOUND}, ${w.queueId})`,
          ),
        );
      });
      let node = await f.node();
      const acked: Array<{ token: string; text: string }> = [];
      const post = async (i: number) => {
        const text = `Besucher ${i}: ${'Ich habe eine Frage zu meiner Rechnung. '.repeat(40)}`;
        const r = await postWidget(node.url, f.world, text, `full-msg-${String(i).padStart(6, '0')}`);
        if (r.status === 201) acked.push({ token: r.json.visitorToken, text });
        return r;
      };
      expect((await post(0)).status).toBe(201);

      const filler = fill(mount!);
      let refused: Awaited<ReturnType<typeof post>> | undefined;
      for (let i = 1; i < 400 && !refused; i++) {
        const r = await post(i);
        if (r.status !== 201) refused = r;
      }
      expect(refused, 'the server kept acknowledging on a full disk').toBeDefined();
      expect(refused!.status).toBe(503);
      expect(refused!.json.error.code).toBe('service_unavailable');
      expect(refused!.text).not.toMatch(/ENOSPC|No space|could not/i);

      const smtp = nodemailer.createTransport({
        host: '127.0.0.1',
        port: node.smtpPort,
        secure: false,
        ignoreTLS: true,
      });
      const mailed = await smtp
        .sendMail({
          from: 'kunde@example.org',
          to: INBOUND,
          subject: 'Rechnung',
          text: 'Hallo, bitte um Rückruf.',
        })
        .then(
          () => 250,
          (e: { responseCode?: number }) => e.responseCode ?? 0,
        );
      smtp.close();
      expect(mailed).toBe(451);
      console.log(
        JSON.stringify({
          fault: 'disk full (PGlite on tmpfs)',
          acknowledgedBeforeFull: acked.length,
          http: 503,
          smtp: mailed,
        }),
      );

      rmSync(filler);
      let back = 0;
      for (let i = 1000; i < 1010 && back === 0; i++) if ((await post(i)).status === 201) back = i;
      expect(back, 'no 201 after space came back').toBeGreaterThan(0);

      await node.stop();
      node = await f.node();
      for (const a of acked) expect(await widgetTexts(node.url, f.world, a.token)).toEqual([a.text]);
      await node.stop();
    },
    300_000,
  );
});
