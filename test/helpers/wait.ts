// Waiting on state, never on time: poll a condition until it holds or a generous deadline passes
// (generous because CI shares two cores; a condition that holds returns at once).

/** Resolves with the first truthy value of `fn`; throws naming `what` after `ms`. */
export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  ms = 30_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pause));
  }
}
