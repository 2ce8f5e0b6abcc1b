// Same templating as the server (src/cockpit/paths.ts): origin + path only, query and fragment
// dropped, identifier-like segments replaced by ':id'. Runs before anything leaves the browser.
const ID_SEGMENT = [
  /^\d+$/,
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /^[0-9a-f]{8,}$/i,
  /@/,
  /^(?=.*\d)[A-Za-z0-9_-]{4,}$/,
  /^[A-Za-z0-9_-]{24,}$/,
];

export function templatePath(rawPath) {
  const path = String(rawPath).split(/[?#]/, 1)[0] || '';
  const segments = path
    .split('/')
    .filter((s) => s.length > 0)
    .slice(0, 12);
  const out = segments.map((s) => {
    let seg = s;
    try {
      seg = decodeURIComponent(s);
    } catch {}
    if (ID_SEGMENT.some((re) => re.test(seg))) return ':id';
    return /^[A-Za-z][A-Za-z0-9._~-]{0,40}$/.test(seg) ? seg.toLowerCase() : ':id';
  });
  return `/${out.join('/')}`.slice(0, 128);
}

// Same as normalizePath in src/cockpit/paths.ts: decoded, dot segments resolved, lower case;
// null for an ambiguous encoding (encoded slash, backslash, dot, percent or NUL).
const AMBIGUOUS = /%(?:2f|5c|2e|25|00)/i;
export function normalizePath(rawPath) {
  const path = String(rawPath).split(/[?#]/, 1)[0] || '/';
  if (AMBIGUOUS.test(path)) return null;
  let decoded;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  if (decoded.includes('\\')) return null;
  const out = [];
  for (const seg of decoded.split('/').slice(1)) {
    if (seg === '..') out.pop();
    else if (seg !== '.') out.push(seg);
  }
  return `/${out.join('/')}`.toLowerCase();
}
