// A lower-cased copy of the text with identical UTF-16 offsets. String#toLowerCase can change the
// length ("İ" -> "i̇"); in that rare case fall back to per-character lowering that keeps each length.
let cachedInput = '';
let cachedLower = '';

export function lowerSameLength(text: string): string {
  if (text === cachedInput) return cachedLower;
  let lower = text.toLowerCase();
  if (lower.length !== text.length) {
    let out = '';
    for (let i = 0; i < text.length; i++) {
      const l = text[i]!.toLowerCase();
      out += l.length === 1 ? l : text[i]!;
    }
    lower = out;
  }
  cachedInput = text;
  cachedLower = lower;
  return lower;
}
