// A shutdown that always completes: named steps run in order (a failing step does not keep the
// later ones, e.g. closing the database, from running); on SIGTERM/SIGINT a deadline starts after
// which the process says what it was still waiting for and exits non-zero; a second signal
// exits at once.
import { constants } from 'node:os';

export interface ShutdownStep {
  name: string;
  run(): Promise<void> | void;
}

export interface Stopper {
  stop(): Promise<void>;
  /** The step in progress, or null when not stopping or done. */
  waitingFor(): string | null;
}

export function createStopper(steps: ShutdownStep[], onError: (step: string, e: unknown) => void): Stopper {
  let current: string | null = null;
  let done: Promise<void> | undefined;
  return {
    waitingFor: () => current,
    stop() {
      done ??= (async () => {
        for (const s of steps) {
          current = s.name;
          try {
            await s.run();
          } catch (e) {
            onError(s.name, e);
          }
        }
        current = null;
      })();
      return done;
    },
  };
}

export interface SignalOptions {
  stopper: Stopper;
  timeoutSeconds: number;
  /** Called once, first thing, on the first signal (e.g. mark the data-dir lock 'stopping'). */
  onStopping?: () => void;
  log: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
  /** Flushes logs without blocking, then ends the process. */
  exit: (code: number) => void;
}

/** Installs SIGTERM and SIGINT handlers for a server process. Returns an uninstaller. */
export function handleShutdownSignals(o: SignalOptions): () => void {
  let first: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (first) {
      o.log('warn', 'second signal: exiting now without finishing shutdown', {
        signal: sig,
        waitingFor: o.stopper.waitingFor(),
      });
      return o.exit(128 + (constants.signals[sig] ?? 15));
    }
    first = sig;
    o.onStopping?.();
    o.log('info', 'shutting down', { signal: sig, timeoutSeconds: o.timeoutSeconds });
    const deadline = setTimeout(() => {
      o.log('error', 'shutdown did not finish in time; exiting anyway', {
        timeoutSeconds: o.timeoutSeconds,
        waitingFor: o.stopper.waitingFor(),
      });
      o.exit(1);
    }, o.timeoutSeconds * 1000);
    o.stopper.stop().then(
      () => {
        clearTimeout(deadline);
        o.exit(0);
      },
      () => o.exit(1),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
