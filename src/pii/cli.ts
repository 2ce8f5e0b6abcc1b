import { scanText } from './scan.ts';
import type { Channel, Lang, Region, ScanOptions } from './types.ts';

// `vigil pii scan [--jsonl] [--lang de|en|fr] [--region DE|AT|CH|FR|GB|US] [--channel chat|email|voice|note]`
// Plain mode: stdin is one text, prints {"spans":[...]}. JSONL mode: one {text, lang?, channel?} per line,
// one {"spans":[...]} (or {"error":"invalid_json"}) per line out.

const LANGS = new Set(['de', 'en', 'fr']);
const REGIONS = new Set(['DE', 'AT', 'CH', 'FR', 'GB', 'US']);
const CHANNELS = new Set(['chat', 'email', 'voice', 'note']);

function parseArgs(args: string[]): { jsonl: boolean; opts: ScanOptions; error?: string } {
  const opts: ScanOptions = {};
  let jsonl = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.includes('=') ? (a.split('=', 2) as [string, string]) : [a, undefined];
    const value = () => inline ?? args[++i];
    if (flag === 'scan') continue;
    if (flag === '--jsonl') jsonl = true;
    else if (flag === '--lang') {
      const v = value();
      if (!v || !LANGS.has(v)) return { jsonl, opts, error: `invalid --lang ${v ?? ''}` };
      opts.lang = v as Lang;
    } else if (flag === '--region') {
      const v = value()?.toUpperCase();
      if (!v || !REGIONS.has(v)) return { jsonl, opts, error: `invalid --region ${v ?? ''}` };
      opts.region = v as Region;
    } else if (flag === '--channel') {
      const v = value();
      if (!v || !CHANNELS.has(v)) return { jsonl, opts, error: `invalid --channel ${v ?? ''}` };
      opts.channel = v as Channel;
    } else return { jsonl, opts, error: `unknown option ${a}` };
  }
  return { jsonl, opts };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function spansJson(text: string, opts: ScanOptions): string {
  const spans = scanText(text, opts).map((s) => ({
    start: s.start,
    end: s.end,
    type: s.type,
    score: Math.round(s.score * 100) / 100,
  }));
  return JSON.stringify({ spans });
}

function lineOptions(value: unknown, base: ScanOptions): ScanOptions | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.text !== 'string') return undefined;
  const opts: ScanOptions = { ...base };
  if (typeof v.lang === 'string' && LANGS.has(v.lang)) opts.lang = v.lang as Lang;
  if (typeof v.region === 'string' && REGIONS.has(v.region)) opts.region = v.region as Region;
  if (typeof v.channel === 'string' && CHANNELS.has(v.channel)) opts.channel = v.channel as Channel;
  if (Array.isArray(v.knownNames))
    opts.knownNames = v.knownNames.filter((n): n is string => typeof n === 'string');
  return opts;
}

function write(stdout: NodeJS.WritableStream, s: string): Promise<void> {
  return new Promise((resolve) => {
    if (stdout.write(s)) resolve();
    else stdout.once('drain', () => resolve());
  });
}

export async function runPiiScan(
  args: string[],
  stdin: NodeJS.ReadableStream,
  stdout: NodeJS.WritableStream,
): Promise<number> {
  const { jsonl, opts, error } = parseArgs(args);
  if (error) {
    await write(stdout, `${JSON.stringify({ error })}\n`);
    return 2;
  }
  if (!jsonl) {
    await write(stdout, `${spansJson(await readAll(stdin), opts)}\n`);
    return 0;
  }
  let buffered = '';
  const handle = async (line: string) => {
    if (!line.trim()) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      await write(stdout, '{"error":"invalid_json"}\n');
      return;
    }
    const lineOpts = lineOptions(parsed, opts);
    await write(
      stdout,
      lineOpts
        ? `${spansJson((parsed as { text: string }).text, lineOpts)}\n`
        : '{"error":"invalid_input"}\n',
    );
  };
  for await (const chunk of stdin) {
    buffered += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      await handle(buffered.slice(0, nl).replace(/\r$/, ''));
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf('\n');
    }
  }
  await handle(buffered);
  return 0;
}
