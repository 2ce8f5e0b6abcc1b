// A real OpenID Provider (oidc-provider) on a real socket, with a scripted "user" at its
// interaction step, and a tiny cookie-keeping redirect walker for the browser side.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestIdp {
  issuer: string;
  accounts: Map<string, { email: string; emailVerified?: boolean }>;
  close(): Promise<void>;
}

export async function startTestIdp(opts: { redirectUris: string[]; clientSecret: string }): Promise<TestIdp> {
  const accounts = new Map<string, { email: string; emailVerified?: boolean }>();
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'vigil',
        client_secret: opts.clientSecret,
        redirect_uris: opts.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // amr/acr travel with the openid scope, as most enterprise IdPs send them.
    claims: { openid: ['sub', 'amr', 'acr', 'auth_time'], email: ['email', 'email_verified'] },
    conformIdTokenClaims: false,
    acrValues: ['urn:test:mfa', 'urn:test:pwd'],
    cookies: { keys: ['test-cookie-key-0123456789'] },
    findAccount: async (_ctx: unknown, sub: string) => {
      const a = accounts.get(sub);
      if (!a) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, email: a.email, email_verified: a.emailVerified ?? true }),
      };
    },
  });
  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const m = /^\/interaction\/([^/?]+)\?(.*)$/.exec(req.url ?? '');
    if (!m) return callback(req, res);
    // The scripted user: ?account=…&amr=a,b&acr=… chooses who signs in and how.
    try {
      const q = new URLSearchParams(m[2]);
      const details = await provider.interactionDetails(req, res);
      const accountId = q.get('account')!;
      const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      const amr = q.get('amr') ? q.get('amr')!.split(',') : undefined;
      await provider.interactionFinished(
        req,
        res,
        {
          login: { accountId, ...(amr ? { amr } : {}), ...(q.get('acr') ? { acr: q.get('acr')! } : {}) },
          consent: { grantId },
        },
        { mergeWithLastSubmission: false },
      );
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e));
    }
  });
  return {
    issuer,
    accounts,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Cookies by host, enough for a redirect walk through Vigil and an IdP. */
export class CookieJar {
  private jars = new Map<string, Map<string, string>>();
  store(url: string, res: Response) {
    const host = new URL(url).host;
    const jar = this.jars.get(host) ?? new Map<string, string>();
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(c)) jar.delete(name);
      else jar.set(name, value);
    }
    this.jars.set(host, jar);
  }
  header(url: string, without: string[] = []): string {
    const jar = this.jars.get(new URL(url).host) ?? new Map();
    return [...jar]
      .filter(([k]) => !without.includes(k))
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
  }
  get(url: string, name: string): string | undefined {
    return this.jars.get(new URL(url).host)?.get(name);
  }
}

export async function get(
  url: string,
  jar: CookieJar,
  ua: string,
  without: string[] = [],
): Promise<Response> {
  const r = await fetch(url, {
    redirect: 'manual',
    headers: { cookie: jar.header(url, without), 'user-agent': ua },
  });
  jar.store(url, r);
  return r;
}
