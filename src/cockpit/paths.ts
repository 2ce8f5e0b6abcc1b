// URL handling shared by event ingest and rule compilation. Navigation events keep only the
// origin and a templated path: query strings and fragments are dropped and segments that look
// like identifiers (numbers, UUIDs, hex, tokens, e-mail addresses) become ':id'.

const ID_SEGMENT = [
  /^\d+$/,
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /^[0-9a-f]{8,}$/i,
  /@/,
  // Mixed letters and digits (order numbers like A12345, ticket keys like INC-0042).
  /^(?=.*\d)[A-Za-z0-9_-]{4,}$/,
  // Long opaque tokens.
  /^[A-Za-z0-9_-]{24,}$/,
];
const MAX_PATH = 128;
const MAX_SEGMENTS = 12;

export function templatePath(rawPath: string): string {
  const path = rawPath.split(/[?#]/, 1)[0] ?? '';
  const segments = path
    .split('/')
    .filter((s) => s.length > 0)
    .slice(0, MAX_SEGMENTS);
  const out = segments.map((s) => {
    let seg = s;
    try {
      seg = decodeURIComponent(s);
    } catch {}
    if (ID_SEGMENT.some((re) => re.test(seg))) return ':id';
    // Anything else is kept only if it is a plain word; odd characters are templated too.
    return /^[A-Za-z][A-Za-z0-9._~-]{0,40}$/.test(seg) ? seg.toLowerCase() : ':id';
  });
  const t = `/${out.join('/')}`;
  return t.length > MAX_PATH ? `${t.slice(0, MAX_PATH - 2)}/…` : t;
}

/** scheme://host[:port] for http(s) URLs, null for anything else. */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

export function isValidOrigin(s: string): boolean {
  return originOf(s) === s;
}

/** A catalogue path pattern: '/admin/export', '/orders/:id', '/reports/*'. */
export const PATH_PATTERN = /^\/[A-Za-z0-9._~\-/:*]{0,200}$/;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The RE2-compatible regex source for a path pattern, matching it and everything below it. */
export function pathPatternRegex(pattern: string): string {
  const trimmed = pattern.length > 1 ? pattern.replace(/\/+$/, '') : pattern;
  if (trimmed === '/') return '/[^?#]*';
  return `${trimmed
    .split('/')
    .map((seg) =>
      seg === '*'
        ? '[^?#]*'
        : seg.startsWith(':')
          ? '[^/?#]+'
          : seg
              .split('*')
              .map((p) => escapeRe(p))
              .join('[^/?#]*'),
    )
    .join('/')}(?:/[^?#]*)?`;
}

export function originRegex(origin: string): string {
  return escapeRe(origin);
}

/** Whether a (raw) path falls under a pattern; same semantics as the compiled browser rule. */
export function pathMatches(pattern: string, path: string): boolean {
  const p = normalizePath(path);
  return p !== null && new RegExp(`^${pathPatternRegex(pattern)}$`, 'i').test(p);
}

/**
 * Encodings a browser leaves in the path but a tool's server may decode into structure: an
 * encoded slash or backslash, an encoded dot (a dot segment after decoding), a double encoding
 * or NUL. Such paths are refused instead of guessed at. RE2 source, case-insensitive.
 */
export const AMBIGUOUS_ENCODING = '%(?:2f|5c|2e|25|00)';

/**
 * The path rules are matched against: percent-decoded, dot segments resolved, lower case,
 * without query and fragment. null when the path carries an ambiguous encoding.
 */
export function normalizePath(rawPath: string): string | null {
  const path = rawPath.split(/[?#]/, 1)[0] || '/';
  if (new RegExp(AMBIGUOUS_ENCODING, 'i').test(path)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null; // malformed escapes
  }
  if (decoded.includes('\\')) return null;
  const out: string[] = [];
  for (const seg of decoded.split('/').slice(1)) {
    if (seg === '..') out.pop();
    else if (seg !== '.') out.push(seg);
  }
  return `/${out.join('/')}`.toLowerCase();
}
