// Maximal runs of ASCII digits, found with one charCode pass and cached for the last text scanned, so
// digit-anchored recognizers can visit candidates instead of trying a regex at every position.
let cachedInput: string | undefined;
let cachedRuns = new Int32Array(0);

/** [start0, end0, start1, end1, ...] of every maximal [0-9]+ run, ascending. */
export function digitRuns(text: string): Int32Array {
  if (text === cachedInput) return cachedRuns;
  let runs = new Int32Array(256);
  let n = 0;
  const len = text.length;
  let i = 0;
  while (i < len) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) {
      i++;
      continue;
    }
    const start = i;
    i++;
    while (i < len) {
      const d = text.charCodeAt(i);
      if (d < 48 || d > 57) break;
      i++;
    }
    if (n + 2 > runs.length) {
      const grown = new Int32Array(runs.length * 2);
      grown.set(runs);
      runs = grown;
    }
    runs[n++] = start;
    runs[n++] = i;
  }
  cachedInput = text;
  cachedRuns = runs.subarray(0, n);
  return cachedRuns;
}
