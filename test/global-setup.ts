// Builds the web console once before any test file runs: the console, bad-input and route tests
// request /app, which answers 503 without a build.
import { ensureWebBuild } from './web/browser.ts';

export default async function setup(): Promise<void> {
  await ensureWebBuild();
}
