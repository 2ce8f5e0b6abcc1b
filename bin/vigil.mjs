#!/usr/bin/env -S node --max-semi-space-size=4
// The `vigil` CLI. Loads the TypeScript sources through tsx so no build step is needed.
// A 4 MB young generation (V8's default: 16 MB) keeps an idle embedded node under 400 MB RSS.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
