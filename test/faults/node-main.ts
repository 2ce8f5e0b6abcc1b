// One Vigil node as a child process for the multi-node and fault tests: configuration from the
// environment (DATABASE_URL, NATS_URL, VIGIL_DATA_DIR …), prints `VIGIL_READY <url> <smtp port>` once listening;
// SIGTERM/SIGINT stop it the way `vigil serve` stops.
import { waitForBus } from '../../src/platform/cluster/index.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { startVigil } from '../../src/runtime.ts';

const v = await startVigil(loadConfig(process.env, { port: Number(process.env.PORT ?? 0) }), {
  handleSignals: true,
});
// Ready means ready to receive: with NATS, the node's subscription is in place at the server.
if (v.bus.kind === 'nats') await waitForBus(v.bus, 30_000);
process.stdout.write(`VIGIL_READY ${v.url} ${v.smtpPort ?? 0}
`);
