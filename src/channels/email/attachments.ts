// E-mail attachments: which parts are kept (size, count, and the type read from the bytes), and
// the e-mail channel's side of the file-scan port (read a stored file for the scanner, delete a
// quarantined one). The table email_attachments is this channel's.

import { sql } from 'drizzle-orm';
import type { Attachment } from 'mailparser';
import type { Keyring } from '../../crypto/index.ts';
import type { ContentVerdict, FileScanService, FileSourcePort } from '../../malware/index.ts';
import { rows, type Tx } from '../../platform/db.ts';

export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
export const MAX_ATTACHMENTS = 20;

export interface DroppedPart {
  reason: string;
  contentType: string;
  size: number;
}

export interface KeptAttachment {
  part: Attachment;
  verdict: Exclude<ContentVerdict, { kind: 'not_allowed' }>;
}

/** Decided before the intake transaction: file-type reads the bytes, which takes a moment. */
export async function screenAttachments(
  parts: Attachment[],
  files: Pick<FileScanService, 'inspect'>,
): Promise<{ kept: KeptAttachment[]; dropped: DroppedPart[] }> {
  const kept: KeptAttachment[] = [];
  const dropped: DroppedPart[] = [];
  for (const a of parts) {
    const declared = (a.contentType || 'application/octet-stream').toLowerCase().slice(0, 100);
    const size = a.content?.length ?? 0;
    if (size > MAX_ATTACHMENT_BYTES) dropped.push({ reason: 'size', contentType: declared, size });
    else if (kept.length >= MAX_ATTACHMENTS) dropped.push({ reason: 'count', contentType: declared, size });
    else {
      const verdict = await files.inspect(a.content, declared);
      if (verdict.kind === 'not_allowed') dropped.push({ reason: 'type', contentType: declared, size });
      else kept.push({ part: a, verdict });
    }
  }
  return { kept, dropped };
}

export function emailFileSource(keyring: Pick<Keyring, 'decryptField'>): FileSourcePort {
  return {
    async load(tx: Tx, fileId: string) {
      const [r] = await rows<{ tenant_id: string; subject_id: string; content_enc: Buffer }>(
        tx,
        sql`select tenant_id, subject_id, content_enc from email_attachments where id = ${fileId}`,
      );
      if (!r) return null;
      return keyring.decryptField(
        {
          tenantId: r.tenant_id,
          table: 'email_attachments',
          column: 'content_enc',
          rowId: fileId,
          subjectId: r.subject_id,
        },
        Buffer.from(r.content_enc),
        tx,
      );
    },
    async remove(tx: Tx, fileId: string) {
      await tx.execute(sql`delete from email_attachments where id = ${fileId}`);
    },
  };
}
