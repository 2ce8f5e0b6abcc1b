// 32-byte secrets kept as files in the data directory (widget-token HMAC key, one-time-code pepper):
// created once with mode 0600 in a 0700 directory, then read on every start. A file that exists but
// holds fewer than 32 bytes is refused rather than replaced, because replacing it would silently
// invalidate every token or code made with the old secret.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config.ts';

const SECRET_BYTES = 32;

export function loadOrCreateSecretFile(dataDir: string, fileName: string): Buffer {
  const path = join(dataDir, fileName);
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    try {
      writeFileSync(path, `${randomBytes(SECRET_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      // Another process created it first: use theirs.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const raw = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (raw.length < SECRET_BYTES)
    throw new ConfigError(`${fileName} in the data directory is damaged (too short)`);
  return raw;
}
