// Origin allow-list of the chat widget. An entry without a port matches any port of that scheme
// and host (http://localhost matches http://localhost:5173); with a port it must match exactly.
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (!origin || origin === 'null') return false;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  for (const entry of allowed) {
    let a: URL;
    try {
      a = new URL(entry);
    } catch {
      continue;
    }
    if (a.protocol !== o.protocol || a.hostname !== o.hostname) continue;
    if (!a.port || a.port === o.port) return true;
  }
  return false;
}
