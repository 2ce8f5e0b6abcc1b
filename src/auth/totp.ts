// TOTP (RFC 6238) with otpauth. A code is accepted for the current step ±1, and only for a step
// later than the last one used, so an observed code cannot be replayed.
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';

const PERIOD = 30;

export const newTotpSecret = (): string => new OTPAuth.Secret({ size: 20 }).base32;

function totpFor(secretB32: string, label = 'Vigil'): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: 'Vigil',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    secret: OTPAuth.Secret.fromBase32(secretB32),
  });
}

/** Returns the time step the code belongs to, or null when it is wrong or already used. */
export function verifyTotp(
  secretB32: string,
  code: string,
  lastUsedStep: number,
  now = Date.now(),
): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secretB32).validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return null;
  const step = Math.floor(now / 1000 / PERIOD) + delta;
  return step > lastUsedStep ? step : null;
}

export const totpCode = (secretB32: string, now = Date.now()): string =>
  totpFor(secretB32).generate({ timestamp: now });

export const otpauthUri = (secretB32: string, accountLabel: string): string =>
  totpFor(secretB32, accountLabel).toString();

export const otpauthQrDataUrl = (uri: string): Promise<string> =>
  QRCode.toDataURL(uri, { margin: 1, width: 240 });
