// Visitor uploads in the chat widget: images and PDF up to 5 MB, from a visitor who already has
// a token (a conversation exists). The file is checked by content at intake, stored encrypted
// under the visitor's subject key in the same transaction as its chat message, and scanned by
// clamd before an agent can open it. chat_attachments is this channel's table.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply } from 'fastify';
import Type from 'typebox';
import type { Keyring } from '../../crypto/index.ts';
import { registerEncryptedColumn } from '../../crypto/index.ts';
import type { FileScanService, FileSourcePort } from '../../malware/index.ts';
import { rows, type Tx } from '../../platform/db.ts';
import { VigilError } from '../../platform/errors.ts';
import { errorResponses } from '../../platform/http-schemas.ts';
import type { ChatService } from './service.ts';

registerEncryptedColumn({ table: 'chat_attachments', column: 'filename_enc' });
registerEncryptedColumn({ table: 'chat_attachments', column: 'content_enc' });

export const MAX_CHAT_FILE_BYTES = 5 * 1024 * 1024;
const CHAT_FILE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf']);

const Params = Type.Object(
  { tenantSlug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }) },
  { additionalProperties: false },
);
const UploadBody = Type.Object(
  {
    clientMessageId: Type.String({ pattern: '^[A-Za-z0-9._:-]{8,128}$' }),
    contentType: Type.String({ minLength: 3, maxLength: 100 }),
    filename: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    /** The file, base64 (the widget reads it with FileReader). */
    data: Type.String({ minLength: 4, maxLength: Math.ceil((MAX_CHAT_FILE_BYTES * 4) / 3) + 4 }),
  },
  { additionalProperties: false },
);
const Uploaded = Type.Object({
  conversationId: Type.String(),
  messageId: Type.String(),
  fileId: Type.String(),
  scanState: Type.String(),
});

const bearer = (h: string | undefined) => /^Bearer\s+(\S+)$/i.exec(h ?? '')?.[1];
const kb = (n: number) => `${Math.max(1, Math.round(n / 1024))} KB`;

export function chatFileSource(keyring: Pick<Keyring, 'decryptField'>): FileSourcePort {
  return {
    async load(tx: Tx, fileId: string) {
      const [r] = await rows<{ tenant_id: string; subject_id: string; content_enc: Buffer }>(
        tx,
        sql`select tenant_id, subject_id, content_enc from chat_attachments where id = ${fileId}`,
      );
      if (!r) return null;
      const field = {
        tenantId: r.tenant_id,
        table: 'chat_attachments',
        column: 'content_enc',
        rowId: fileId,
        subjectId: r.subject_id,
      };
      return keyring.decryptField(field, Buffer.from(r.content_enc), tx);
    },
    async remove(tx: Tx, fileId: string) {
      await tx.execute(sql`delete from chat_attachments where id = ${fileId}`);
    },
  };
}

export function chatUploadRoutes(
  app: FastifyInstance,
  deps: {
    chat: Pick<ChatService, 'admit' | 'visitorFromToken' | 'postMessage'>;
    files: Pick<FileScanService, 'inspect' | 'register' | 'kick'>;
    keyring: Pick<Keyring, 'encryptField'>;
  },
): void {
  const path = '/api/v1/widget/:tenantSlug/files';
  const cors = (reply: FastifyReply, origin: string) =>
    reply
      .header('access-control-allow-origin', origin)
      .header('vary', 'Origin')
      .header('cross-origin-resource-policy', 'cross-origin');

  app.options(
    path,
    { config: { auth: { public: 'CORS preflight of the chat widget' } }, schema: { params: Params } },
    async (req, reply) => {
      const origin = req.headers.origin;
      await deps.chat.admit((req.params as { tenantSlug: string }).tenantSlug, origin);
      return cors(reply, origin!)
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', 'content-type, authorization')
        .status(204)
        .send();
    },
  );

  app.post(
    path,
    {
      bodyLimit: Math.ceil((MAX_CHAT_FILE_BYTES * 4) / 3) + 16 * 1024,
      config: {
        auth: { public: 'chat widget visitors (origin allow-list + signed visitor token)' },
        rateLimit: { max: 20, timeWindow: '1 minute' },
      },
      schema: {
        tags: ['widget'],
        params: Params,
        body: UploadBody,
        response: { 201: Uploaded, 200: Uploaded, ...errorResponses },
      },
    },
    async (req, reply) => {
      const origin = req.headers.origin;
      const w = await deps.chat.admit((req.params as { tenantSlug: string }).tenantSlug, origin);
      const token = bearer(req.headers.authorization);
      if (!deps.chat.visitorFromToken(w, token))
        throw new VigilError('unauthenticated', 'a visitor token is required');
      const body = req.body as {
        clientMessageId: string;
        contentType: string;
        filename?: string;
        data: string;
      };
      const data = Buffer.from(body.data, 'base64');
      if (data.length === 0) throw new VigilError('invalid_input', 'the file is empty');
      if (data.length > MAX_CHAT_FILE_BYTES)
        throw new VigilError('payload_too_large', 'the file is larger than 5 MB');
      const declared = body.contentType.toLowerCase();
      const verdict = await deps.files.inspect(data, declared);
      if (verdict.kind === 'not_allowed' || (verdict.kind === 'ok' && !CHAT_FILE_TYPES.has(verdict.type)))
        throw new VigilError('unsupported_media_type', 'only images and PDF files can be sent here');
      const fileId = randomUUID();
      let scanState = 'pending';
      const r = await deps.chat.postMessage(
        w,
        {
          text: `(file, ${verdict.type}, ${kb(data.length)})`,
          clientMessageId: body.clientMessageId,
          visitorToken: token,
        },
        { ip: req.ctx.ip, requestId: req.ctx.requestId },
        async (tx, res) => {
          const field = (column: string) => ({
            tenantId: w.tenant.id,
            table: 'chat_attachments',
            column,
            rowId: fileId,
            subjectId: res.customerId,
          });
          await tx.execute(sql`insert into chat_attachments (id, tenant_id, message_id, subject_id, content_type, size, filename_enc, content_enc)
            values (${fileId}, ${w.tenant.id}, ${res.messageId}, ${res.customerId}, ${verdict.type}, ${data.length},
              ${body.filename ? await deps.keyring.encryptField(field('filename_enc'), body.filename, tx) : null},
              ${await deps.keyring.encryptField(field('content_enc'), data, tx)})`);
          const file = {
            fileId,
            tenantId: w.tenant.id,
            source: 'chat' as const,
            conversationId: res.conversationId,
          };
          scanState = await deps.files.register(
            tx,
            { ...file, subjectId: res.customerId, declaredType: declared, data },
            verdict,
          );
        },
      );
      if (r.created) deps.files.kick();
      return cors(reply, origin!)
        .status(r.created ? 201 : 200)
        .send({
          conversationId: r.conversationId,
          messageId: r.messageId,
          fileId: r.created ? fileId : '',
          scanState,
        });
    },
  );
}
