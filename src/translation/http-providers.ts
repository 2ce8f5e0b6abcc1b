// HTTP translation services, selected by configuration: DeepL (API v2) and LibreTranslate. Both
// speak their real wire protocols; tests run a local server that answers the same way.
import { VigilError } from '../platform/errors.ts';
import { BRACKET_PLACEHOLDER, type Language, type TranslationProvider } from './provider.ts';

export interface HttpProviderOptions {
  /** Base URL, e.g. https://api-free.deepl.com or https://libretranslate.example. */
  url: string;
  apiKey?: string | undefined;
  timeoutMs?: number;
}

async function postJson(url: string, body: unknown, headers: Record<string, string>, timeoutMs: number) {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new VigilError('translation_unavailable', 'translation service unreachable');
  }
  if (!res.ok) throw new VigilError('translation_unavailable', 'translation service refused the request');
  try {
    return (await res.json()) as unknown;
  } catch {
    throw new VigilError('translation_unavailable', 'translation service answered garbage');
  }
}

const base = (url: string) => url.replace(/\/+$/, '');
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const xmlUnescape = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** DeepL wants regional English as a target ("EN" alone is deprecated there). */
const deeplTarget = (l: Language) => (l === 'en' ? 'EN-GB' : l.toUpperCase());

/**
 * DeepL API v2 `/v2/translate`. Placeholders are empty XML elements that DeepL keeps in place
 * (tag_handling=xml), so the surrounding text is escaped as XML.
 */
export function createDeeplProvider(opts: HttpProviderOptions): TranslationProvider {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return {
    name: 'deepl',
    placeholder: (n) => `<x i="${n}"/>`,
    placeholderPattern: /<x\s+i="(\d+)"\s*\/>/g,
    supports: (from, to) => from !== to,
    async translate(text, from, to) {
      const escaped = text.replace(/(<x i="\d+"\/>)|([^<]+)|(<)/g, (_m, ph, plain, lt) =>
        ph ? ph : plain ? xmlEscape(plain) : xmlEscape(lt),
      );
      const json = (await postJson(
        `${base(opts.url)}/v2/translate`,
        {
          text: [escaped],
          source_lang: from.toUpperCase(),
          target_lang: deeplTarget(to),
          tag_handling: 'xml',
          ignore_tags: ['x'],
        },
        opts.apiKey ? { authorization: `DeepL-Auth-Key ${opts.apiKey}` } : {},
        timeoutMs,
      )) as { translations?: Array<{ text?: unknown }> };
      const out = json.translations?.[0]?.text;
      if (typeof out !== 'string') throw new VigilError('translation_unavailable', 'unexpected answer');
      return out.replace(/(<x\s+i="\d+"\s*\/>)|([^<]+)/g, (_m, ph, plain) => (ph ? ph : xmlUnescape(plain)));
    },
  };
}

/** LibreTranslate `POST /translate` with `format: "text"`. */
export function createLibreTranslateProvider(opts: HttpProviderOptions): TranslationProvider {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  return {
    name: 'libretranslate',
    ...BRACKET_PLACEHOLDER,
    supports: (from, to) => from !== to,
    async translate(text, from, to) {
      const json = (await postJson(
        `${base(opts.url)}/translate`,
        {
          q: text,
          source: from,
          target: to,
          format: 'text',
          ...(opts.apiKey ? { api_key: opts.apiKey } : {}),
        },
        {},
        timeoutMs,
      )) as { translatedText?: unknown };
      if (typeof json.translatedText !== 'string')
        throw new VigilError('translation_unavailable', 'unexpected answer');
      return json.translatedText;
    },
  };
}
