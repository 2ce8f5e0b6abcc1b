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
