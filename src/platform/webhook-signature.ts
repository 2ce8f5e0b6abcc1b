// The one signature every outgoing Vigil webhook carries (alerts, audit sinks, SMS gateway):
// `x-vigil-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, the timestamp also
// in `x-vigil-timestamp`. Signing the timestamp with the body lets a receiver reject replays; one
// scheme means a receiver verifies all of Vigil's hooks with the same few lines.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-vigil-signature';
export const TIMESTAMP_HEADER = 'x-vigil-timestamp';

const hmacHex = (secret: string, t: number, body: string) =>
  createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

/** The signature header value for `body` sent at `nowMs`. */
export function signWebhook(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

/** Both headers of a signed POST. */
export function webhookSignatureHeaders(
  secret: string,
  body: string,
  nowMs: number,
): Record<typeof SIGNATURE_HEADER | typeof TIMESTAMP_HEADER, string> {
  return {
    [SIGNATURE_HEADER]: signWebhook(secret, body, nowMs),
    [TIMESTAMP_HEADER]: String(Math.floor(nowMs / 1000)),
  };
}

/** True when `header` signs `body` under `secret` within `toleranceS` of `nowMs`. */
export function verifyWebhook(
  secret: string,
  body: string,
  header: string,
  nowMs: number,
  toleranceS = 300,
): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(nowMs / 1000 - t) > toleranceS) return false;
  const expected = Buffer.from(hmacHex(secret, t, body), 'hex');
  return timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
}
