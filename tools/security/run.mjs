// `npm run security` (called by .ci/run): a CycloneDX SBOM, a secret scan of the tree and a DAST
// pass with wapiti (unauthenticated and authenticated). Exit 1 on any finding above
// informational. Reports go to .security/ (gitignored). See docs/security-testing.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACCEPTED, runDast } from './dast.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, '.security');
mkdirSync(out, { recursive: true });
const bin = (name) => {
  const path = join(root, 'node_modules', '.bin', name);
  if (!existsSync(path)) throw new Error(`${name} is not installed (devDependency): run npm ci`);
  return path;
};
const t0 = Date.now();
const failures = [];
const step = async (name, fn) => {
  const s = Date.now();
  process.stdout.write(`== ${name}\n`);
  try {
    await fn();
  } catch (e) {
    failures.push(`${name}: ${e.message}`);
  }
  process.stdout.write(`   ${name} took ${((Date.now() - s) / 1000).toFixed(1)} s\n`);
};

await step('SBOM (CycloneDX)', async () => {
  const sbom = join(out, 'sbom.json');
  const r = spawnSync(
    bin('cyclonedx-npm'),
    ['--ignore-npm-errors', '--output-format', 'JSON', '--output-file', sbom, '--spec-version', '1.6'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`cyclonedx-npm exited ${r.status}: ${(r.stderr || '').slice(-400)}`);
  process.stdout.write(`   ${sbom}\n`);
});

await step('secret scan (secretlint)', async () => {
  const r = spawnSync(bin('secretlint'), ['--maskSecrets', '**/*'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stdout.write(r.stdout);
    throw new Error('secrets found (see above)');
  }
  process.stdout.write('   no secrets found\n');
});

await step('DAST (wapiti)', async () => {
  const r = await runDast(root, out);
  writeFileSync(join(out, 'dast-findings.json'), JSON.stringify(r, null, 2));
  for (const [pass, list] of [
    ['unauthenticated', r.anonymous],
    ['authenticated', r.authenticated],
  ]) {
    process.stdout.write(`   ${pass}: ${list.open.length} findings above informational\n`);
    for (const f of list.open)
      process.stdout.write(`     [${f.level}] ${f.category}: ${f.method} ${f.path} ${f.info ?? ''}\n`);
    for (const f of list.accepted) process.stdout.write(`     accepted: [${f.level}] ${f.info}\n`);
  }
  for (const a of ACCEPTED) process.stdout.write(`   accepted "${a.info}": ${a.why}\n`);
  if (!r.sessionStillValid) throw new Error('the authenticated pass lost its session');
  const n = r.anonymous.open.length + r.authenticated.open.length;
  if (n) throw new Error(`${n} DAST findings`);
});

const secs = ((Date.now() - t0) / 1000).toFixed(1);
if (failures.length) {
  process.stdout.write(`security: FAILED in ${secs} s\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`security: passed in ${secs} s\n`);
