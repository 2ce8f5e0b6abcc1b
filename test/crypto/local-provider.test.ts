// The local KEK provider (key file or VIGIL_MASTER_KEY) and the in-memory key cache.
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyCache } from '../../src/crypto/cache.ts';
import { createLocalKeyProvider, masterKeyPath } from '../../src/crypto/index.ts';
import { expectCode, tempDataDir } from './helpers.ts';

describe('local key provider', () => {
  const dirs: ReturnType<typeof tempDataDir>[] = [];
  const dir = () => {
    const d = tempDataDir();
    dirs.push(d);
    return d.dir;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it('creates the key file 0600 in a 0700 directory on first start and reuses it', async () => {
    const d = dir();
    const p1 = createLocalKeyProvider({ dataDir: d });
    expect(statSync(masterKeyPath(d)).mode & 0o777).toBe(0o600);
    expect(statSync(join(d, 'keys')).mode & 0o777).toBe(0o700);
    const w = await p1.wrapKey(Buffer.alloc(32, 9), 'tenant-dek:x:v1');
    const p2 = createLocalKeyProvider({ dataDir: d });
    expect(await p2.unwrapKey(w, 'tenant-dek:x:v1')).toEqual(Buffer.alloc(32, 9));
    // The wrapping is bound to its context.
    await expectCode(p2.unwrapKey(w, 'tenant-dek:y:v1'), 'key_unavailable');
  });

  it('refuses a key file readable by others', async () => {
    const d = dir();
    createLocalKeyProvider({ dataDir: d });
    chmodSync(masterKeyPath(d), 0o644);
    expect(() => createLocalKeyProvider({ dataDir: d })).toThrow(/group or others/);
  });

  it('rotates: adds a KEK version, keeps the old one for unwrapping, and rewraps', async () => {
    const d = dir();
    const p = createLocalKeyProvider({ dataDir: d });
    const w1 = await p.wrapKey(Buffer.alloc(32, 1), 'c');
    expect(await p.rotate()).toBe(2);
    expect(statSync(masterKeyPath(d)).mode & 0o777).toBe(0o600);
    const file = JSON.parse(readFileSync(masterKeyPath(d), 'utf8')) as { keys: Record<string, string> };
    expect(Object.keys(file.keys)).toEqual(['1', '2']);
    const w2 = await p.rewrapKey(w1, 'c');
    expect(w2.kekVersion).toBe(2);
    const reopened = createLocalKeyProvider({ dataDir: d });
    expect(await reopened.unwrapKey(w1, 'c')).toEqual(Buffer.alloc(32, 1));
    expect(await reopened.unwrapKey(w2, 'c')).toEqual(Buffer.alloc(32, 1));
  });

  it('takes the KEK from VIGIL_MASTER_KEY, in one or several versions, and writes no file', async () => {
    const d = dir();
    const k1 = randomBytes(32).toString('base64');
    const single = createLocalKeyProvider({ dataDir: d, masterKey: k1 });
    const w = await single.wrapKey(Buffer.alloc(32, 3), 'c');
    expect(() => statSync(masterKeyPath(d))).toThrow();
    const multi = createLocalKeyProvider({
      dataDir: d,
      masterKey: `1:${k1},2:${randomBytes(32).toString('base64')}`,
    });
    expect(await multi.currentVersion()).toBe(2);
    expect(await multi.unwrapKey(w, 'c')).toEqual(Buffer.alloc(32, 3));
    // The operator adds the version to the variable; rotate re-wraps under it and adds nothing itself.
    expect(await multi.rotate()).toBe(2);
    await expectCode(single.rotate(), 'key_unavailable');
    expect(() => createLocalKeyProvider({ dataDir: d, masterKey: 'dG9vIHNob3J0' })).toThrow(/32 bytes/);
  });
});

describe('key cache', () => {
  it('expires entries after the TTL and evicts the least recently used beyond its size', () => {
    let now = 0;
    const cache = new KeyCache<string>(1000, 2, () => now);
    cache.set('a', 'A');
    cache.set('b', 'B');
    expect(cache.get('a')).toBe('A'); // a is now most recent
    cache.set('c', 'C'); // evicts b
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    now = 1001;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(1);
  });
});
