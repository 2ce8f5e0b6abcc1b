// A recorded fake of HashiCorp Vault's Transit engine: the request and response shapes of
// /v1/transit/{encrypt,decrypt,rewrap}/:name, /keys/:name and /keys/:name/rotate as Vault's API
// documentation shows them (response envelope with request_id/lease_id/data, ciphertexts
// "vault:vN:base64", errors as {"errors":[...]} with 400/403/404). Each key version is a real
// AES-256-GCM key, so wrapping in the tests is actual encryption.
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  token: string | undefined;
  body: Record<string, unknown> | undefined;
}

export interface FakeVault {
  address: string;
  token: string;
  requests: RecordedRequest[];
  keyVersions(name: string): number;
  close(): Promise<void>;
}

const envelope = (data: unknown) => ({
  request_id: randomUUID(),
  lease_id: '',
  renewable: false,
  lease_duration: 0,
  data,
  wrap_info: null,
  warnings: null,
  auth: null,
});

export async function startFakeVault(): Promise<FakeVault> {
  const token = `hvs.${randomBytes(12).toString('base64url')}`;
  const keys = new Map<string, Buffer[]>(); // name -> versions (index 0 = v1)
  const requests: RecordedRequest[] = [];

  const seal = (name: string, plaintext: Buffer) => {
    const versions = keys.get(name)!;
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', versions[versions.length - 1]!, nonce);
    const body = Buffer.concat([nonce, c.update(plaintext), c.final(), c.getAuthTag()]);
    return {
      ciphertext: `vault:v${versions.length}:${body.toString('base64')}`,
      key_version: versions.length,
    };
  };
  const open = (name: string, ciphertext: unknown): Buffer | string => {
    const m = typeof ciphertext === 'string' ? /^vault:v(\d+):(.+)$/.exec(ciphertext) : null;
    if (!m) return 'invalid ciphertext: no prefix';
    const key = keys.get(name)?.[Number(m[1]) - 1];
    if (!key) return 'invalid key version';
    const raw = Buffer.from(m[2]!, 'base64');
    try {
      const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]);
    } catch {
      return 'cipher: message authentication failed';
    }
  };
  const keyInfo = (name: string) => {
    const versions = keys.get(name)!;
    return {
      name,
      type: 'aes256-gcm96',
      latest_version: versions.length,
      min_decryption_version: 1,
      min_encryption_version: 0,
      keys: Object.fromEntries(versions.map((_, i) => [String(i + 1), 1_700_000_000 + i])),
      deletion_allowed: false,
      derived: false,
      exportable: false,
      supports_encryption: true,
      supports_decryption: true,
    };
  };

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString('utf8');
    });
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
      const path = req.url ?? '';
      const tokenHeader = req.headers['x-vault-token'];
      requests.push({
        method: req.method ?? '',
        path,
        token: typeof tokenHeader === 'string' ? tokenHeader : undefined,
        body,
      });
      const reply = (status: number, payload?: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(payload === undefined ? '' : JSON.stringify(payload));
      };
      if (tokenHeader !== token) return reply(403, { errors: ['permission denied'] });
      const m = /^\/v1\/transit\/(encrypt|decrypt|rewrap|keys)\/([^/]+)(\/rotate)?$/.exec(path);
      if (!m) return reply(404, { errors: [] });
      const [, op, name, rotate] = m as unknown as [string, string, string, string | undefined];
      if (op === 'encrypt' && req.method === 'POST') {
        if (!keys.has(name)) keys.set(name, [randomBytes(32)]); // Vault creates the key on first encrypt.
        if (typeof body?.plaintext !== 'string')
          return reply(400, { errors: ['missing plaintext to encrypt'] });
        return reply(200, envelope(seal(name, Buffer.from(body.plaintext, 'base64'))));
      }
      if (!keys.has(name))
        return reply(op === 'keys' ? 404 : 400, {
          errors: op === 'keys' ? [] : ['encryption key not found'],
        });
      if (op === 'decrypt' && req.method === 'POST') {
        const p = open(name, body?.ciphertext);
        return typeof p === 'string'
          ? reply(400, { errors: [p] })
          : reply(200, envelope({ plaintext: p.toString('base64') }));
      }
      if (op === 'rewrap' && req.method === 'POST') {
        const p = open(name, body?.ciphertext);
        return typeof p === 'string' ? reply(400, { errors: [p] }) : reply(200, envelope(seal(name, p)));
      }
      if (op === 'keys' && rotate && req.method === 'POST') {
        keys.get(name)!.push(randomBytes(32));
        return reply(200, envelope(keyInfo(name)));
      }
      if (op === 'keys' && !rotate && req.method === 'GET') return reply(200, envelope(keyInfo(name)));
      return reply(405, { errors: ['unsupported operation'] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `http://127.0.0.1:${port}`,
    token,
    requests,
    keyVersions: (name) => keys.get(name)?.length ?? 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
