// The control socket: read-only CLI commands served by a running embedded server.
export { type CommandOut, type ControlOp, controlCommands } from './commands.ts';
export { type ControlServer, callControl, controlSocketPath, startControlSocket } from './socket.ts';
export { runReadOnly } from './via-server.ts';
