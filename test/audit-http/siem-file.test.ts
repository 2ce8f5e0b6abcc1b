// The running server exports its audit stream to the configured SIEM sink (here the JSONL file
// sink) as OCSF, and a card number sent through the widget appears nowhere in that export.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestVigil, type TestVigil } from '../helpers/app.ts';
import { waitFor } from '../helpers/wait.ts';

describe('SIEM export from the running server', () => {
  let v: TestVigil;
  const file = join(mkdtempSync(join(tmpdir(), 'vigil-siem-')), 'siem.jsonl');
  beforeAll(async () => {
    v = await startTestVigil({ siemFile: file, demo: true, auditCheckpointSeconds: 1 });
  });
  afterAll(() => v.close());

  it('writes OCSF events for sign-ins and widget messages, without the card number', async () => {
    const agent = await v.makeUser([{ role: 'agent', tenant: 'acme-shop' }]);
    await v.login(agent);
    const card = '4111 1111 1111 1111';
    const w = await v.call(
      'POST',
      '/api/v1/widget/acme-shop/messages',
      { text: `Hallo, meine Karte ist ${card}`, clientMessageId: `siem-${Date.now()}` },
      null,
      { origin: 'http://localhost' },
    );
    expect(w.status).toBe(201);
    const lines = await waitFor('a sign-in event in the file', () => {
      const now = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
      return now.some((l) => l.includes('"class_uid":3002')) && now;
    });
    expect(lines.length).toBeGreaterThan(3);
    const events = lines.map((l) => JSON.parse(l));
    expect(events.some((e) => e.class_uid === 3002)).toBe(true);
    const all = lines.join('\n');
    expect(all).not.toContain('4111111111111111');
    expect(all).not.toContain(card);
    expect(all).not.toContain(agent.email);
  });
});
