// JSONL file sink: one OCSF record per line, appended.
import { appendFile } from 'node:fs/promises';
import { toOcsf } from '../ocsf.ts';
import type { AuditSink } from './types.ts';

export function createFileSink(id: string, path: string): AuditSink {
  return {
    id,
    async deliver(_tenantId, events) {
      await appendFile(path, events.map((e) => `${JSON.stringify(toOcsf(e))}\n`).join(''), { mode: 0o600 });
    },
  };
}
