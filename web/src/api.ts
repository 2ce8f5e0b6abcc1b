// The one HTTP client of the consoles: same-origin cookies, the CSRF token in memory only,
// errors as ApiError with the server's stable code.
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly retryAfter: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
let lastActivity = Date.now();
const signedOutListeners = new Set<(code: string) => void>();

export const setCsrfToken = (t: string | null) => {
  csrfToken = t;
};
export const lastServerActivity = () => lastActivity;
export const onSignedOut = (fn: (code: string) => void) => {
  signedOutListeners.add(fn);
  return () => void signedOutListeners.delete(fn);
};

/** Asks the user for a fresh TOTP code (the step-up dialog); resolves true once confirmed. */
let stepUpHandler: (() => Promise<boolean>) | null = null;
export const setStepUpHandler = (fn: (() => Promise<boolean>) | null) => {
  stepUpHandler = fn;
};

const SESSION_GONE = new Set(['unauthenticated', 'session_expired', 'account_suspended', 'mfa_required']);

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  try {
    return await request<T>(method, path, body);
  } catch (e) {
    // Insider monitoring may demand a fresh code before the next tenant read: ask, then retry once.
    if (e instanceof ApiError && e.code === 'step_up_required' && stepUpHandler && (await stepUpHandler()))
      return request<T>(method, path, body);
    throw e;
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError('network', 0, 'network error');
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | null)?.error;
    const retry = Number(res.headers.get('retry-after'));
    const e = new ApiError(
      err?.code ?? 'internal',
      res.status,
      err?.message ?? res.statusText,
      Number.isFinite(retry) && retry > 0 ? retry : null,
    );
    if (res.status === 401 && SESSION_GONE.has(e.code) && !path.startsWith('/api/v1/auth/'))
      for (const l of signedOutListeners) l(e.code);
    throw e;
  }
  if (!path.startsWith('/api/v1/auth/login')) lastActivity = Date.now();
  return json as T;
}

export const tenantPath = (slug: string, rest: string) =>
  `/api/v1/tenants/${encodeURIComponent(slug)}${rest}`;

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
