// Ends a tool in this browser: its tabs closed, its cookies (those the browser would send to the
// tool's origins) removed, and localStorage, IndexedDB, Cache Storage, service workers and HTTP
// cache of exactly those origins (scheme, host and port) cleared. Other origins keep their data;
// cookies are per host by the web's rules, so a site on another port of the same host shares them.
export async function clearOrigins(origins) {
  if (origins.length === 0) return;
  const wanted = new Set(origins);
  const tabs = (await chrome.tabs.query({})).filter((t) => {
    try {
      return wanted.has(new URL(t.url).origin);
    } catch {
      return false;
    }
  });
  const cookies = (
    await Promise.all(
      origins.map((o) => chrome.cookies.getAll({ url: `${o}/` }).then((cs) => cs.map((c) => [o, c]))),
    )
  ).flat();
  await Promise.all([
    tabs.length ? chrome.tabs.remove(tabs.map((t) => t.id)) : null,
    ...cookies.map(([origin, c]) =>
      chrome.cookies.remove({ url: `${origin}${c.path}`, name: c.name, storeId: c.storeId }),
    ),
    chrome.browsingData.remove(
      { origins },
      {
        localStorage: true,
        indexedDB: true,
        cacheStorage: true,
        serviceWorkers: true,
        fileSystems: true,
        cache: true,
      },
    ),
  ]);
}
