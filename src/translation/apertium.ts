// Apertium (Debian `apertium` + `apertium-eng-spa`): a real rule-based translator run locally,
// for tests and offline use. One process per request; the text goes in on stdin.
import { spawn } from 'node:child_process';
import { VigilError } from '../platform/errors.ts';
import { BRACKET_PLACEHOLDER, type Language, type TranslationProvider } from './provider.ts';

/** Apertium mode names of the installed language pairs. */
const MODES: Partial<Record<`${Language}-${Language}`, string>> = {
  'en-es': 'eng-spa',
  'es-en': 'spa-eng',
};

export interface ApertiumOptions {
  binary?: string;
  timeoutMs?: number;
}

export function createApertiumProvider(opts: ApertiumOptions = {}): TranslationProvider {
  const binary = opts.binary ?? 'apertium';
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return {
    name: 'apertium',
    ...BRACKET_PLACEHOLDER,
    supports: (from, to) => MODES[`${from}-${to}`] !== undefined,
    translate(text, from, to) {
      const mode = MODES[`${from}-${to}`];
      if (!mode)
        return Promise.reject(new VigilError('translation_unsupported', 'language pair not supported'));
      // -u: unknown words are copied without Apertium's "*" mark.
      return run(binary, ['-u', mode], text, timeoutMs);
    },
  };
}

function run(binary: string, args: string[], input: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // Node's stdin "pipe" is a socket, which apertium's `/dev/stdin` cannot open: `cat` in between
    // turns it into a real pipe. The binary and its arguments are passed as positional parameters.
    const child = spawn('/bin/sh', ['-c', 'cat | "$0" "$@"', binary, ...args], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const out: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const fail = () => reject(new VigilError('translation_unavailable', 'translation engine failed'));
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.on('error', () => {
      clearTimeout(timer);
      fail();
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out).toString('utf8').replace(/\n$/, ''));
      else fail();
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input, 'utf8');
  });
}
