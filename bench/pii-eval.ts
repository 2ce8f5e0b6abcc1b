// Evaluates the PII engine on a labelled JSONL file ({text, lang, spans, channel?} per line) or, without
// a file, on a generated set. `--generate N [--seed S]` writes a generated set as JSONL instead.
//   npm run eval:pii -- FILE | npm run eval:pii -- --generate 2000 > set.jsonl
// CoNLL/IOB files (PER/LOC/ORG labels; only those three types are scored):
//   npm run eval:pii -- --conll FILE --lang de [--holdout 30] [--conll FILE2 --lang en ...]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate, parseSamples, type Sample } from '../src/pii/evaluate.ts';
import type { EntityType, Lang } from '../src/pii/index.ts';
import { scanText } from '../src/pii/scan.ts';
import { generateSamples } from '../tools/generate/pii/samples.ts';
import { CONLL_TYPES, parseConll } from './pii-conll.ts';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/**
 * Only types the set labels somewhere are scored: a set without place or organisation labels cannot
 * tell a right LOCATION/ORGANIZATION finding from a wrong one.
 */
async function report(samples: Sample[], scored?: readonly EntityType[]): Promise<object> {
  const only = scored ?? [...new Set(samples.flatMap((s) => s.spans.map((g) => g.type)))];
  const r = await evaluate(samples, (s) =>
    scanText(s.text, { lang: s.lang, ...(s.channel ? { channel: s.channel } : {}) }).filter((p) =>
      only.includes(p.type),
    ),
  );
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    samples: r.samples,
    micro: {
      precision: round(r.micro.precision),
      recall: round(r.micro.recall),
      f1: round(r.micro.f1),
      f2: round(r.micro.f2),
    },
    perEntity: Object.fromEntries(
      Object.entries(r.perEntity).map(([t, e]) => [
        t,
        {
          precision: round(e.precision),
          recall: round(e.recall),
          f1: round(e.f1),
          f2: round(e.f2),
          tp: e.tp,
          fp: e.fp,
          fn: e.fn,
        },
      ]),
    ),
    ...(process.env.PII_EVAL_ERRORS ? { errors: r.errors } : {}),
  };
}

const args = process.argv.slice(2);
const seed = Number(option(args, '--seed') ?? 7);
const generate = option(args, '--generate');
const conll = args.flatMap((a, i) => (a === '--conll' ? [i] : []));
if (conll.length > 0) {
  // Each --conll FILE takes the --lang / --holdout that follow it (before the next --conll).
  const results: Record<string, object> = {};
  for (const [k, i] of conll.entries()) {
    const part = args.slice(i, conll[k + 1] ?? args.length);
    const file = part[1]!;
    const lang = (option(part, '--lang') ?? 'de') as Lang;
    const holdout = option(part, '--holdout');
    const samples = parseConll(readFileSync(file, 'utf8'), lang, holdout ? Number(holdout) : undefined);
    results[`${file}${holdout ? ` (held-out ${holdout}%)` : ''}`] = await report(samples, CONLL_TYPES);
  }
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else if (generate !== undefined) {
  for (const s of generateSamples({ count: Number(generate), seed }))
    process.stdout.write(`${JSON.stringify(s)}\n`);
} else {
  const optionValues = new Set(['--seed', '--count'].map((o) => option(args, o)));
  const file = args.find(
    (a, i) => !a.startsWith('--') && !(optionValues.has(a) && args[i - 1]?.startsWith('--')),
  );
  const results: Record<string, object> = {};
  if (file) results[file] = await report(parseSamples(readFileSync(file, 'utf8')));
  else
    results.generated = await report(
      generateSamples({ count: Number(option(args, '--count') ?? 3000), seed }),
    );
  // The shared labelled set, when someone has checked it out next to this repo.
  const shared = join(process.cwd(), '..', 'shared', 'pii');
  if (!file && existsSync(shared)) {
    for (const f of readdirSync(shared).filter((n) => n.endsWith('.jsonl'))) {
      results[join(shared, f)] = await report(parseSamples(readFileSync(join(shared, f), 'utf8')));
    }
  }
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}
