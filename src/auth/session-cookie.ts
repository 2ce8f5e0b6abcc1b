// The session cookie, set in one place for every way of signing in (password + TOTP, SSO,
// passkey). With Secure cookies (TLS) it is named `__Host-vigil_session`: browsers only accept
// that name when it is Secure, has Path=/ and no Domain, so a sibling subdomain or a plain-HTTP
// attacker cannot plant or overwrite it (cookie tossing, session fixation). Without TLS (the
// demo, development) the name stays `vigil_session`.
import type { FastifyReply } from 'fastify';
import type { Config } from '../platform/config.ts';

export const SESSION_COOKIE = 'vigil_session';
export const SECURE_SESSION_COOKIE = '__Host-vigil_session';

export const sessionCookieName = (secure: boolean): string =>
  secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;

export function setSessionCookie(
  reply: FastifyReply,
  token: string,
  config: Pick<Config, 'secureCookies' | 'sessionAbsoluteHours'>,
): void {
  reply.setCookie(sessionCookieName(config.secureCookies), token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: config.secureCookies,
    path: '/',
    maxAge: config.sessionAbsoluteHours * 3600,
  });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(sessionCookieName(secure), { path: '/', secure, httpOnly: true, sameSite: 'strict' });
}
