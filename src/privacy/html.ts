// The subject export as a readable HTML document. Every value is escaped; no scripts, no inline
// styles (the strict CSP applies to this page like to every other).
import type { Doc } from '../platform/documents.ts';
import { escapeHtml } from '../platform/html.ts';
import type { SubjectExport } from './service.ts';

function value(v: unknown): string {
  if (v === null || v === undefined) return '<em>none</em>';
  if (Array.isArray(v))
    return v.length === 0 ? '<em>none</em>' : `<ul>${v.map((x) => `<li>${value(x)}</li>`).join('')}</ul>`;
  if (typeof v === 'object') return table(v as Record<string, unknown>);
  return escapeHtml(v);
}

function table(o: Record<string, unknown>): string {
  const rows = Object.entries(o)
    .map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${value(v)}</td></tr>`)
    .join('');
  return `<table>${rows}</table>`;
}

export function renderExportHtml(e: SubjectExport): string {
  const parts: string[] = [`<h1>Personal data held about ${escapeHtml(e.customerId)}</h1>`];
  parts.push(`<p>Generated ${escapeHtml(e.generatedAt)}.</p>`);
  if (e.erased) {
    parts.push(`<p>The data of this person was erased on ${escapeHtml(e.erasedAt)}.</p>`);
  } else {
    parts.push('<h2>Profile</h2>', table(e.profile));
    parts.push('<h2>Consents</h2>', table(e.consents as unknown as Record<string, unknown>));
    parts.push('<h2>Conversations</h2>');
    for (const c of e.conversations) parts.push(table(c));
    if (e.conversations.length === 0) parts.push('<p><em>none</em></p>');
    parts.push('<h2>Calls</h2>', value(e.calls));
    parts.push('<h2>Who accessed the data</h2>', value(e.accessHistory));
    parts.push('<h2>Requests</h2>', value(e.subjectRequests));
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Data export</title></head><body>${parts.join('\n')}</body></html>`;
}

/** The same export as a document for the PDF rendering (src/platform/documents.ts). */
export function exportDoc(e: SubjectExport): Doc {
  const s = (v: unknown) =>
    v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const base = { title: `Personal data held about ${e.customerId}`, generatedAt: e.generatedAt };
  if (e.erased)
    return {
      ...base,
      sections: [{ heading: 'Erased', paragraphs: [`The data of this person was erased on ${e.erasedAt}.`] }],
    };
  return {
    ...base,
    sections: [
      {
        heading: 'Profile',
        fields: Object.entries(e.profile).map(([k, v]) => [k, s(v)] as [string, string]),
      },
      {
        heading: 'Consents',
        fields: Object.entries(e.consents.profile).map(([k, v]) => [k, s(v)] as [string, string]),
        table: {
          head: ['purpose', 'granted', 'source', 'text version', 'recorded', 'withdrawn'],
          rows: e.consents.records.map((r) => [
            s(r.purpose),
            s(r.granted),
            s(r.source),
            s(r.textVersion),
            s(r.recordedAt),
            s(r.withdrawnAt),
          ]),
        },
      },
      ...e.conversations.map((c) => ({
        heading: `Conversation ${s(c.id)} (${s(c.channel)})`,
        fields: [
          ['Subject', s(c.subject)],
          ['Created', s(c.createdAt)],
        ] as Array<[string, string]>,
        table: {
          head: ['time', 'direction', 'text'],
          rows: ((c.messages as Array<Record<string, unknown>>) ?? []).map((m) => [
            s(m.createdAt),
            s(m.direction),
            s(m.text),
          ]),
        },
      })),
      {
        heading: 'Calls',
        table: {
          head: ['call', 'direction', 'from', 'to', 'started', 'recording consent'],
          rows: e.calls.map((k) => [
            s(k.id),
            s(k.direction),
            s(k.from),
            s(k.to),
            s(k.startedAt),
            s(k.recordingConsent),
          ]),
        },
      },
      {
        heading: 'Who accessed the data',
        table: {
          head: ['time', 'action', 'actor', 'roles'],
          rows: e.accessHistory.map((h) => [
            h.time,
            h.action,
            `${h.actorType}:${h.actorId ?? '-'}`,
            h.actorRoles.join(' '),
          ]),
        },
      },
      {
        heading: 'Requests',
        table: {
          head: ['type', 'state', 'received', 'due'],
          rows: e.subjectRequests.map((r) => [r.type, r.state, r.receivedAt, r.dueAt]),
        },
      },
    ],
  };
}
