// The default KEK provider: the KEK comes from VIGIL_MASTER_KEY or from a key file created on
// first start. Several KEK versions may exist; new wraps use the current one, the highest unless
// VIGIL_MASTER_KEY_CURRENT names another (to roll a new version out to every node before use).
//   VIGIL_MASTER_KEY = base64(32 bytes)               -> version 1
//   VIGIL_MASTER_KEY = "1:base64,2:base64"            -> versions 1 and 2
//   ${dataDir}/keys/master.key (0600, dir 0700)       -> JSON { format, keys: { "1": base64 } }
// rotate-master with the key file adds a version to it; with VIGIL_MASTER_KEY the operator adds it
// to the variable and rotate-master re-wraps every key under the current version.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '../platform/errors.ts';
import { openAesGcm, sealAesGcm } from './aead.ts';
import type { KeyProvider, WrappedKey } from './provider.ts';

const FILE_FORMAT = 'vigil-kek/1';
const unavailable = (message: string) => new VigilError('key_unavailable', message);

export const masterKeyPath = (dataDir: string) => join(dataDir, 'keys', 'master.key');

export function parseMasterKeyEnv(value: string): Map<number, Buffer> {
  const keys = new Map<number, Buffer>();
  const entries = value.includes(':') ? value.split(',') : [`1:${value}`];
  for (const entry of entries) {
    const m = /^\s*(\d+):([A-Za-z0-9+/=]+)\s*$/.exec(entry);
    const key = m ? Buffer.from(m[2] ?? '', 'base64') : undefined;
    if (!m || !key || key.length !== 32) throw unavailable('VIGIL_MASTER_KEY must be base64 of 32 bytes');
    keys.set(Number(m[1]), key);
  }
  return keys;
}

function readKeyFile(path: string): Map<number, Buffer> {
  // Like ssh: a key file others can read is refused rather than silently used.
  if ((statSync(path).mode & 0o077) !== 0)
    throw unavailable('master key file must not be accessible to group or others');
  let parsed: { format?: string; keys?: Record<string, string> };
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as typeof parsed;
  } catch {
    throw unavailable('master key file is unreadable');
  }
  if (parsed.format !== FILE_FORMAT || !parsed.keys)
    throw unavailable('master key file has an unknown format');
  const keys = new Map<number, Buffer>();
  for (const [v, b64] of Object.entries(parsed.keys)) {
    const key = Buffer.from(b64, 'base64');
    if (!/^\d+$/.test(v) || key.length !== 32) throw unavailable('master key file holds an invalid key');
    keys.set(Number(v), key);
  }
  return keys;
}

function writeKeyFile(path: string, keys: Map<number, Buffer>, exclusive: boolean): void {
  const body = JSON.stringify({
    format: FILE_FORMAT,
    keys: Object.fromEntries([...keys].map(([v, k]) => [String(v), k.toString('base64')])),
  });
  if (exclusive) {
    writeFileSync(path, body, { mode: 0o600, flag: 'wx' });
    return;
  }
  // Write-then-rename so a crash never leaves a half-written key file.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, body, { mode: 0o600, flag: 'w' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export interface LocalKeyProviderOptions {
  dataDir: string;
  /** The VIGIL_MASTER_KEY value; when set, no key file is read or created. */
  masterKey?: string | undefined;
  /** VIGIL_MASTER_KEY_CURRENT: the version new wraps use; default the highest. */
  currentVersion?: number | undefined;
}

export function createLocalKeyProvider(opts: LocalKeyProviderOptions): KeyProvider {
  const path = masterKeyPath(opts.dataDir);
  let keys: Map<number, Buffer>;
  if (opts.masterKey) {
    keys = parseMasterKeyEnv(opts.masterKey);
  } else {
    mkdirSync(join(opts.dataDir, 'keys'), { recursive: true, mode: 0o700 });
    if (!existsSync(path)) {
      try {
        writeKeyFile(path, new Map([[1, randomBytes(32)]]), true);
      } catch (e) {
        // Another process created it first: use theirs.
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
          throw unavailable('master key file could not be created');
      }
    }
    keys = readKeyFile(path);
  }
  if (keys.size === 0) throw unavailable('no master key configured');
  if (opts.currentVersion !== undefined && !keys.has(opts.currentVersion))
    throw unavailable('VIGIL_MASTER_KEY_CURRENT names a version VIGIL_MASTER_KEY does not hold');
  const current = () => opts.currentVersion ?? Math.max(...keys.keys());
  const aad = (context: string, version: number) =>
    Buffer.from(`vigil.kek.v1\0${context}\0${version}`, 'utf8');
  const kek = (version: number) => {
    const k = keys.get(version);
    if (!k) throw unavailable('master key version is not available');
    return k;
  };

  const wrapKey = async (key: Buffer, context: string): Promise<WrappedKey> => {
    const v = current();
    return { wrapped: sealAesGcm(kek(v), key, aad(context, v)), kekVersion: v };
  };
  const unwrapKey = async (w: WrappedKey, context: string): Promise<Buffer> => {
    const key = openAesGcm(kek(w.kekVersion), w.wrapped, aad(context, w.kekVersion));
    if (!key) throw unavailable('wrapped key does not open with the master key');
    return key;
  };
  return {
    id: 'local',
    wrapKey,
    unwrapKey,
    rewrapKey: async (w, context) => {
      const key = await unwrapKey(w, context);
      try {
        return await wrapKey(key, context);
      } finally {
        key.fill(0);
      }
    },
    rotate: async () => {
      if (opts.masterKey) {
        // The variable is the operator's: the new version is already in it, re-wrap under it.
        if (keys.size === 1)
          throw unavailable(
            'VIGIL_MASTER_KEY holds one version: set it to "1:<old>,2:<new>" (base64 keys) and run rotate-master again',
          );
        return current();
      }
      const fresh = new Map(readKeyFile(path));
      fresh.set(Math.max(...fresh.keys()) + 1, randomBytes(32));
      writeKeyFile(path, fresh, false);
      keys = fresh;
      return current();
    },
    currentVersion: async () => current(),
  };
}
