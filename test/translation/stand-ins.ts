// Local HTTP servers speaking the real DeepL v2 and LibreTranslate protocols (the services cannot
// run here). They record every request body, so tests can prove what a provider received.
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface StandIn {
  url: string;
  /** Raw request bodies, in arrival order. */
  received: string[];
  close(): Promise<void>;
}

/** A word list is enough to show text was translated and placeholders carried through. */
const DE_EN: Record<string, string> = {
  'guten tag': 'good day',
  ich: 'I',
  heiße: 'am called',
  meine: 'my',
  ist: 'is',
  und: 'and',
  telefonnummer: 'phone number',
  bitte: 'please',
  rufen: 'call',
  sie: 'you',
  mich: 'me',
  an: '',
  danke: 'thanks',
};
const EN_DE: Record<string, string> = {
  thank: 'danke',
  you: 'Ihnen',
  we: 'wir',
  will: 'werden',
  call: 'anrufen',
};

function translateWords(text: string, dict: Record<string, string>): string {
  // Tags (DeepL xml handling) and bracket placeholders are copied unchanged.
  return text
    .split(/(<[^>]+>|⟦\d+⟧)/)
    .map((part) =>
      part.startsWith('<') || part.startsWith('⟦')
        ? part
        : part.replace(/guten tag|\p{L}+/giu, (w) => dict[w.toLowerCase()] ?? w),
    )
    .join('');
}

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
  });

async function listen(server: Server, received: string[]): Promise<StandIn> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}`,
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export function startDeepl(apiKey: string): Promise<StandIn> {
  const received: string[] = [];
  const server = createServer(async (req, res) => {
    const raw = await body(req);
    received.push(raw);
    if (req.url !== '/v2/translate' || req.method !== 'POST') return res.writeHead(404).end();
    if (req.headers.authorization !== `DeepL-Auth-Key ${apiKey}`) return res.writeHead(403).end();
    const q = JSON.parse(raw) as {
      text: string[];
      source_lang?: string;
      target_lang: string;
      tag_handling?: string;
    };
    if (q.tag_handling !== 'xml' || !Array.isArray(q.text)) return res.writeHead(400).end();
    const dict = q.target_lang.startsWith('EN') ? DE_EN : EN_DE;
    const translations = q.text.map((t) => ({
      detected_source_language: q.source_lang ?? 'DE',
      text: translateWords(t, dict),
    }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ translations }));
  });
  return listen(server, received);
}

export function startLibreTranslate(): Promise<StandIn> {
  const received: string[] = [];
  const server = createServer(async (req, res) => {
    const raw = await body(req);
    received.push(raw);
    if (req.url !== '/translate' || req.method !== 'POST') return res.writeHead(404).end();
    const q = JSON.parse(raw) as { q: string; source: string; target: string; format?: string };
    const dict = q.target === 'en' ? DE_EN : EN_DE;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ translatedText: translateWords(q.q, dict) }));
  });
  return listen(server, received);
}
