// The benchmark runs and reports plausible numbers (the figures themselves go in the report).
import { describe, expect, it } from 'vitest';
import { benchCrypto } from '../../bench/crypto.ts';

describe('crypto benchmark', () => {
  it('measures encrypt+decrypt per 1 KB and the encrypted/plaintext insert ratio', async () => {
    const r = await benchCrypto({ messages: 500, rows: 100 });
    console.info(JSON.stringify(r));
    expect(r.messageBytes).toBe(1024);
    expect(r.encryptDecryptMicros).toBeGreaterThan(0);
    expect(r.encryptDecryptMicros).toBeLessThan(5000);
    expect(r.encryptedToPlaintextInsertRatio).toBeGreaterThan(0.5);
    expect(r.encryptedToPlaintextInsertRatio).toBeLessThan(10);
  });
});
