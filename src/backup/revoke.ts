// After a restore nothing issued before it may still open the door: sessions, API tokens, SCIM
// tokens and paired Cockpit extensions of the backup time would otherwise come back to life
// (a signed-out user, a revoked integration token, a stolen cookie that was revoked since).
// Everybody signs in again; integrations get new tokens.
import { sql } from 'drizzle-orm';
import { rows, type Tx } from '../platform/db.ts';
import { revokeApiTokens } from '../tenancy/index.ts';

export interface RestoreRevocation {
  sessions: number;
  apiTokens: number;
  scimTokens: number;
  cockpitDevices: number;
}

const count = async (tx: Tx, q: ReturnType<typeof sql>): Promise<number> =>
  Number(
    (await rows<{ n: number | string }>(tx, sql`with x as (${q} returning 1) select count(*) as n from x`))[0]
      ?.n ?? 0,
  );

/** Revokes, inside the restore's transaction, every credential the restored data holds. */
export async function revokeRestoredCredentials(tx: Tx): Promise<RestoreRevocation> {
  return {
    sessions: await count(
      tx,
      sql`update sessions set revoked_at = now(), revoked_reason = 'restore' where revoked_at is null`,
    ),
    apiTokens: await revokeApiTokens(tx),
    scimTokens: await count(tx, sql`update scim_tokens set revoked_at = now() where revoked_at is null`),
    cockpitDevices: await count(
      tx,
      sql`update cockpit_devices set status = 'ended', ended_at = now(), ended_reason = 'restore' where status = 'active'`,
    ),
  };
}
