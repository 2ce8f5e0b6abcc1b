// One Vigil node as a child process for the multi-node and fault tests: configuration from the
// environment (DATABASE_URL, NATS_URL, VIGIL_DATA_DIR …), prints `VIGIL_READY <url>` once listening.
import { loadConfig } from '../../src/platform/config.ts';
import { startVigil } from '../../src/runtime.ts';

const v = await startVigil(loadConfig(process.env, { port: Number(process.env.PORT ?? 0) }));
process.stdout.write(`VIGIL_READY ${v.url}\n`);
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    void v.stop().finally(() => process.exit(0));
  });
