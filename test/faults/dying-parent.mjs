// A supervisor that dies with its child: starts `vigil serve` in its own process group with
// stdout/stderr piped to itself, waits until it listens, sends SIGTERM to the group and exits at
// once (the pipes' reading end dies with it). Prints the server's pid for the test first.
import { spawn } from 'node:child_process';

const [vigil, ...args] = process.argv.slice(2);
const p = spawn(process.execPath, [vigil, ...args], {
  env: process.env,
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
let out = '';
const onData = (d) => {
  out += d;
  if (/Server listening at/.test(out)) {
    process.stdout.write(`SERVER_PID ${p.pid}\n`, () => {
      process.kill(-p.pid, 'SIGTERM');
      process.exit(0);
    });
  }
};
p.stdout.on('data', onData);
p.stderr.on('data', onData);
p.once('exit', (code) => {
  process.stdout.write(`SERVER_EXITED_EARLY ${code}\n${out}`);
  process.exit(1);
});
