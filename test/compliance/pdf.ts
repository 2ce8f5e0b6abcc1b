// Reads the text back out of a PDF written by pdf-lib: inflates every content stream and decodes
// the hex strings of the text operators. Enough to check that required fields are in the file.
import { inflateSync } from 'node:zlib';
import { expect } from 'vitest';
export function pdfText(buf: Buffer): string {
  expect(buf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const out: string[] = [];
  const s = buf.toString('latin1');
  const re = /(?<!end)stream\r?\n/g;
  let m: RegExpExecArray | null = re.exec(s);
  while (m) {
    const start = m.index + m[0].length;
    const end = s.indexOf('endstream', start);
    if (end < 0) break;
    const raw = buf.subarray(start, end);
    let content: string;
    try {
      content = inflateSync(raw).toString('latin1');
    } catch {
      content = raw.toString('latin1');
    }
    for (const t of content.matchAll(/<([0-9A-Fa-f]+)>\s*Tj/g))
      out.push(Buffer.from(t[1]!, 'hex').toString('latin1'));
    re.lastIndex = end;
    m = re.exec(s);
  }
  return out.join('\n');
}
