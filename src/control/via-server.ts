// A read-only command runs where the database is: locally when the data directory is free, in
// the running embedded server (over its control socket) when that server holds it.
import { DataDirBusyError } from '../platform/data-dir-lock.ts';
import { type CommandCore, type CommandOut, type ControlOp, controlCommands } from './commands.ts';
import { callControl } from './socket.ts';

export interface ReadOnlyRun {
  op: ControlOp;
  args: string[];
  dataDir: string;
  /** PGlite: only one process can open the directory, so a busy one is asked instead. */
  embedded: boolean;
  /** Opens the database under the data-directory lock (throws DataDirBusyError) and runs fn. */
  openLocal(fn: (core: CommandCore) => Promise<number>): Promise<number>;
  out?: CommandOut;
}

export async function runReadOnly(o: ReadOnlyRun): Promise<number> {
  const out = o.out ?? { stdout: process.stdout, stderr: process.stderr };
  const cmd = controlCommands[o.op];
  const params = cmd.parse(o.args);
  try {
    // biome-ignore lint/suspicious/noExplicitAny: params come from this command's own parse()
    return await o.openLocal((core) => cmd.run(core, params as any, out));
  } catch (e) {
    if (!(e instanceof DataDirBusyError) || !o.embedded) throw e;
    const r = await callControl(o.dataDir, o.op, params);
    if (!r)
      throw new DataDirBusyError(
        o.dataDir,
        e.holder,
        'it does not answer on its control socket: stop it, then run this again',
      );
    out.stdout.write(r.stdout);
    out.stderr.write(r.stderr);
    return r.code;
  }
}
