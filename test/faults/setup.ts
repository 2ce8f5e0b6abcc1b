// Shared set-up for the fault tests: a data dir and master key the nodes share, the seeded
// world (written through the real services in this process), and a node factory.
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/platform/config.ts';
import { type Core, openCore } from '../../src/runtime.ts';
import { createTenancyService } from '../../src/tenancy/service.ts';
import { type NodeProc, spawnNode, tempDir } from './servers.ts';
import { type ClusterWorld, call, seedWorld } from './world.ts';

export interface FaultEnv {
  env: Record<string, string>;
  world: ClusterWorld;
  node(extra?: Record<string, string>): Promise<NodeProc>;
}

export async function prepare(
  databaseUrl: string,
  extra: Record<string, string> = {},
  seed?: (db: Core['db'], world: ClusterWorld) => Promise<void>,
): Promise<FaultEnv> {
  const env = {
    DATABASE_URL: databaseUrl,
    VIGIL_DATA_DIR: tempDir('vigil-fault-'),
    VIGIL_MASTER_KEY: randomBytes(32).toString('base64'),
    ...extra,
  };
  const core = await openCore(loadConfig(env));
  let world: ClusterWorld;
  try {
    const tenancy = createTenancyService({
      db: core.db,
      secrets: core.secrets,
      onTenantCreated: (id) => core.keyring.ensureTenantKeys(id),
    });
    world = await seedWorld(core.db, tenancy);
    await seed?.(core.db, world);
  } finally {
    await core.db.close();
  }
  return { env, world, node: (more = {}) => spawnNode({ ...env, ...more }) };
}

/** Opens a voice call through the telephony API; returns its id. */
export async function openCall(url: string, w: ClusterWorld): Promise<string> {
  const r = await call(
    url,
    'POST',
    `/api/v1/tenants/${w.slug}/calls`,
    { from: '+4930123456', to: '+4930654321', direction: 'inbound' },
    null,
    { authorization: `Bearer ${w.voiceToken}` },
  );
  if (r.status !== 201) throw new Error(`call not created: ${r.status} ${r.text}`);
  return r.json.callId as string;
}

/** One transcript segment (an idempotent ingest: the key is call id + seq). */
export const postSegment = (url: string, w: ClusterWorld, callId: string, seq: number) =>
  call(
    url,
    'POST',
    `/api/v1/tenants/${w.slug}/calls/${callId}/transcript`,
    { segments: [{ seq, speaker: 'customer', text: `Segment ${seq}: ich rufe wegen meiner Rechnung an` }] },
    null,
    { authorization: `Bearer ${w.voiceToken}` },
  );

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
