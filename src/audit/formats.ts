// Export formats of audit events for SIEMs: OCSF 1.3 JSON (ocsf.ts), ArcSight CEF (one line per
// event) and the plain Vigil event JSON. All three carry ids only, like the events themselves.
import { toOcsf } from './ocsf.ts';
import type { AuditEvent } from './types.ts';

export const SINK_FORMATS = ['ocsf', 'cef', 'json'] as const;
export type SinkFormat = (typeof SINK_FORMATS)[number];

// CEF: '|' and '\' are escaped in header fields; '=' and '\' (and line breaks) in extension values.
const header = (s: string) =>
  s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]/g, ' ');
const ext = (s: string) =>
  s
    .replace(/\\/g, '\\\\')
    .replace(/=/g, '\\=')
    .replace(/\r?\n|\r/g, '\\n');

export function toCef(e: AuditEvent): string {
  const severity = e.outcome === 'denied' ? 7 : e.outcome === 'failure' ? 5 : 3;
  const fields: [string, string | number | null][] = [
    ['rt', Date.parse(e.time)],
    ['externalId', `${e.tenantId ?? 'platform'}:${e.seq}`],
    ['act', e.action],
    ['outcome', e.outcome],
    ['suser', e.actorId],
    ['cs1Label', 'actorType'],
    ['cs1', e.actorType],
    ['cs2Label', 'resourceType'],
    ['cs2', e.resourceType],
    ['cs3Label', 'resourceId'],
    ['cs3', e.resourceId],
    ['cs4Label', 'tenant'],
    ['cs4', e.tenantId ?? 'platform'],
    ['cs5Label', 'reason'],
    ['cs5', e.reason],
    ['cs6Label', 'eventHash'],
    ['cs6', e.hash],
    ['src', e.ip],
    ['requestClientApplication', e.uaHash],
    ['cn1Label', 'sequence'],
    ['cn1', e.seq],
  ];
  const extension = fields
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}=${ext(String(v))}`)
    .join(' ');
  return `CEF:0|Vigil|Vigil|1.0|${header(e.action)}|${header(e.action)}|${severity}|${extension}`;
}

export function formatEvent(format: SinkFormat, e: AuditEvent): unknown {
  if (format === 'ocsf') return toOcsf(e);
  if (format === 'cef') return toCef(e);
  return e;
}
