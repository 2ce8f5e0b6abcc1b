// Check-digit algorithms for the validated recognizers. All take plain digit/letter strings
// (separators already removed) and never throw.

/** Luhn (ISO/IEC 7812) over a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** The digit that makes `partial + digit` Luhn-valid (used by the generator). */
export function luhnCheckDigit(partial: string): string {
  for (let d = 0; d < 10; d++) if (luhnValid(partial + d)) return String(d);
  return '0';
}

/** ISO 7064 MOD 11,10 check digit (German Steuer-ID, German VAT id). */
export function iso7064Mod1110(digits: string): number {
  let product = 10;
  for (let i = 0; i < digits.length; i++) {
    let sum = (digits.charCodeAt(i) - 48 + product) % 10;
    if (sum === 0) sum = 10;
    product = (sum * 2) % 11;
  }
  const check = 11 - product;
  return check === 10 ? 0 : check;
}

/** ICAO 9303 7-3-1 check digit over [0-9A-Z<]. */
export function icao731(value: string): number {
  const weights = [7, 3, 1];
  let sum = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    let v = 0;
    if (c >= 48 && c <= 57) v = c - 48;
    else if (c >= 65 && c <= 90) v = c - 55;
    sum += v * weights[i % 3]!;
  }
  return sum % 10;
}

/** Remainder of a long decimal string modulo m, without BigInt. */
export function decimalMod(digits: string, m: number): number {
  let r = 0;
  for (let i = 0; i < digits.length; i++) r = (r * 10 + (digits.charCodeAt(i) - 48)) % m;
  return r;
}

/**
 * Steuer-ID digit rule (since 2016): in the first 10 digits exactly one digit occurs twice or three
 * times, all others at most once; a digit occurring three times must not do so in three adjacent places.
 */
export function deTaxIdDigitsPlausible(id: string): boolean {
  if (id.length !== 11 || id[0] === '0') return false;
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 10; i++) counts[id.charCodeAt(i) - 48]!++;
  let repeated = 0;
  for (const c of counts) {
    if (c > 3) return false;
    if (c >= 2) repeated++;
  }
  if (repeated !== 1) return false;
  for (let i = 0; i + 2 < 10; i++) if (id[i] === id[i + 1] && id[i] === id[i + 2]) return false;
  return true;
}

export function deTaxIdValid(id: string): boolean {
  return deTaxIdDigitsPlausible(id) && iso7064Mod1110(id.slice(0, 10)) === id.charCodeAt(10) - 48;
}

/** German VAT id: 'DE' + 8 digits + MOD 11,10 check digit. */
export function deVatValid(nineDigits: string): boolean {
  return (
    nineDigits.length === 9 &&
    nineDigits[0] !== '0' &&
    iso7064Mod1110(nineDigits.slice(0, 8)) === nineDigits.charCodeAt(8) - 48
  );
}

/** Austrian VAT id: 'ATU' + 7 digits + check digit. */
export function atVatValid(eightDigits: string): boolean {
  if (eightDigits.length !== 8) return false;
  let sum = 0;
  for (let i = 0; i < 7; i++) {
    const d = eightDigits.charCodeAt(i) - 48;
    if (i % 2 === 0) sum += d;
    else sum += Math.floor((d * 2) / 10) + ((d * 2) % 10);
  }
  return (96 - sum) % 10 === eightDigits.charCodeAt(7) - 48;
}

/** French VAT id: 'FR' + 2-digit key + 9-digit SIREN, key = (12 + 3 * (SIREN mod 97)) mod 97. */
export function frVatValid(key: string, siren: string): boolean {
  return /^\d{2}$/.test(key) && (12 + 3 * decimalMod(siren, 97)) % 97 === Number(key);
}

/**
 * German pension insurance number: AA DDMMYY L SS C. The letter becomes its two-digit alphabet index,
 * digits are weighted 2,1,2,5,7,1,2,1,2,1,2,1, products reduced to their digit sum, sum mod 10.
 */
export function dePensionCheckDigit(first11: string): number {
  const letter = first11.charCodeAt(8) - 64;
  if (letter < 1 || letter > 26) return -1;
  const digits = first11.slice(0, 8) + String(letter).padStart(2, '0') + first11.slice(9, 11);
  const weights = [2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1];
  let sum = 0;
  for (let i = 0; i < 12; i++) {
    const p = (digits.charCodeAt(i) - 48) * weights[i]!;
    sum += Math.floor(p / 10) + (p % 10);
  }
  return sum % 10;
}

/** French NIR key: 97 - (n mod 97); Corsica departments 2A/2B count as 19/18. */
export function frNirKey(thirteen: string): number {
  const numeric = thirteen.replace(/2A/, '19').replace(/2B/, '18');
  if (!/^\d{13}$/.test(numeric)) return -1;
  return 97 - decimalMod(numeric, 97);
}
