import { scanText } from './scan.ts';
import type { ScanOptions } from './types.ts';

/** Full-engine redaction for places that can afford it (audit exports, error reports): `[TYPE]` for everything. */
export function redactForLog(text: string, opts: ScanOptions = {}): string {
  let out = '';
  let cursor = 0;
  for (const s of scanText(text, opts)) {
    out += `${text.slice(cursor, s.start)}[${s.type}]`;
    cursor = s.end;
  }
  return out + text.slice(cursor);
}
