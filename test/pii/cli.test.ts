import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runPiiScan } from '../../src/pii/cli.ts';

async function run(args: string[], input: string): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await runPiiScan(args, Readable.from([input]), stdout);
  return { code, out: Buffer.concat(chunks).toString('utf8') };
}

describe('vigil pii scan', () => {
  it('plain text: prints the spans as JSON', async () => {
    const { code, out } = await run(['scan'], 'IBAN DE89 3704 0044 0532 0130 00');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ spans: [{ start: 5, end: 32, type: 'IBAN', score: 1 }] });
  });

  it('jsonl: one result per line, bad JSON does not crash', async () => {
    const input = [
      JSON.stringify({ text: 'Mail max@example.de', lang: 'de' }),
      '{not json',
      JSON.stringify({
        text: 'vier eins eins eins eins eins eins eins eins eins eins eins eins eins eins eins',
        lang: 'de',
        channel: 'voice',
      }),
    ].join('\n');
    const { code, out } = await run(['scan', '--jsonl', '--lang', 'de'], input);
    expect(code).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0].spans[0]).toMatchObject({ start: 5, end: 19, type: 'EMAIL' });
    expect(lines[1]).toEqual({ error: 'invalid_json' });
    expect(lines[2].spans[0].type).toBe('PAYMENT_CARD');
  });

  it('rejects unknown options with exit code 2', async () => {
    expect((await run(['scan', '--lang', 'xx'], '')).code).toBe(2);
  });

  it('--region changes how national phone numbers are read', async () => {
    const us = await run(['scan', '--region', 'US'], 'call (415) 555-2671');
    expect(JSON.parse(us.out).spans.map((s: { type: string }) => s.type)).toEqual(['PHONE']);
  });
});
