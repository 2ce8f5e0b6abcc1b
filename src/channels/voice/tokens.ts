// Tenant service tokens for integrations (telephony): shown once, stored as SHA-256 only.
import { sql } from 'drizzle-orm';
import { randomToken, sha256 } from '../../auth/tokens.ts';
import { pgTextArray } from '../../ingest/text.ts';
import { type Database, rows } from '../../platform/db.ts';
import { VigilError } from '../../platform/errors.ts';

export const TOKEN_SCOPES = ['calls:write'] as const;

export async function issueApiToken(
  db: Pick<Database, 'withPlatform'>,
  t: { tenantId: string; name: string; scopes: string[]; createdBy?: string | null; expiresAt?: Date | null },
): Promise<{ id: string; token: string }> {
  for (const s of t.scopes)
    if (!(TOKEN_SCOPES as readonly string[]).includes(s))
      throw new VigilError('invalid_input', 'unknown token scope');
  if (!t.scopes.length) throw new VigilError('invalid_input', 'a token needs a scope');
  const token = `vgl_${randomToken(32)}`;
  const [row] = await db.withPlatform((tx) =>
    rows<{ id: string }>(
      tx,
      sql`insert into api_tokens (tenant_id, name, token_hash, scopes, created_by, expires_at)
          values (${t.tenantId}, ${t.name.slice(0, 120)}, ${sha256(token)}, ${pgTextArray(t.scopes)}::text[], ${t.createdBy ?? null}, ${t.expiresAt ?? null})
          returning id`,
    ),
  );
  return { id: row!.id, token };
}
