// Who is signed in. The CSRF token lives in memory only (fetched again from /api/v1/me after a
// reload); nothing personal goes to localStorage, sessionStorage or URLs.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, lastServerActivity, onSignedOut, setCsrfToken } from './api';
import { asLocale, clearStoredLocale, type Locale, pickedLocale, useI18n } from './i18n';
import type { Role, Tenant, User } from './types';

/** The server's idle timeout until /api/v1/me tells the configured one (VIGIL_SESSION_IDLE_MINUTES). */
const DEFAULT_IDLE_MINUTES = 15;
/** How long before the idle timeout the console warns. */
export const warnAfterMinutes = (idle: number) => Math.max(idle / 2, idle - 2);

interface Me {
  user: User;
  csrfToken: string;
  sessionIdleMinutes?: number;
}

type State =
  | { status: 'loading' }
  | { status: 'signedOut'; reason: string | null }
  | { status: 'signedIn'; user: User };

interface SessionApi {
  state: State;
  user: User | null;
  signedIn(user: User, csrf: string): void;
  signOut(): Promise<void>;
  /** Switches the console language and stores it on the account. */
  chooseLocale(l: Locale): void;
  endLocally(reason: string | null): void;
  refresh(): Promise<void>;
  tenants: Tenant[];
  /** The server's idle timeout in minutes. */
  idleLimit: number;
  rolesIn(slug: string): Role[];
  isPlatformAdmin: boolean;
}

const Ctx = createContext<SessionApi | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: 'loading' });
  const [idleLimit, setIdleLimit] = useState(DEFAULT_IDLE_MINUTES);
  const learnIdle = useCallback((me: Me) => {
    if (me.sessionIdleMinutes) setIdleLimit(me.sessionIdleMinutes);
  }, []);
  const { setLocale } = useI18n();

  const adopt = useCallback(
    (user: User, csrf: string) => {
      setCsrfToken(csrf);
      // A language picked before sign-in wins and is stored on the account; otherwise the account's.
      const picked = pickedLocale();
      const l = picked ?? asLocale(user.locale);
      if (l) setLocale(l);
      if (picked && picked !== user.locale)
        api('PUT', '/api/v1/me/locale', { locale: picked }).catch(() => {});
      clearStoredLocale();
      setState({ status: 'signedIn', user });
      // The sign-in answer does not carry the idle timeout; /api/v1/me does.
      api<Me>('GET', '/api/v1/me')
        .then(learnIdle)
        .catch(() => {});
    },
    [setLocale, learnIdle],
  );

  const endLocally = useCallback((reason: string | null) => {
    setCsrfToken(null);
    setState({ status: 'signedOut', reason });
  }, []);

  const refresh = useCallback(async () => {
    const me = await api<Me>('GET', '/api/v1/me');
    setCsrfToken(me.csrfToken);
    learnIdle(me);
    setState({ status: 'signedIn', user: me.user });
  }, [learnIdle]);

  useEffect(() => {
    api<Me>('GET', '/api/v1/me')
      .then((me) => {
        learnIdle(me);
        adopt(me.user, me.csrfToken);
      })
      .catch(() => endLocally(null));
  }, [adopt, endLocally, learnIdle]);

  useEffect(() => onSignedOut((code) => endLocally(code)), [endLocally]);

  const chooseLocale = useCallback(
    (l: Locale) => {
      setLocale(l);
      api('PUT', '/api/v1/me/locale', { locale: l }).catch(() => {});
    },
    [setLocale],
  );

  const signOut = useCallback(async () => {
    try {
      await api('POST', '/api/v1/auth/logout');
    } catch {
      // signed out locally either way
    }
    setCsrfToken(null);
    // A full reload drops every piece of client state (caches, forms, dialogs).
    location.replace('/');
  }, []);

  const value = useMemo<SessionApi>(() => {
    const user = state.status === 'signedIn' ? state.user : null;
    const tenants: Tenant[] = [];
    for (const m of user?.memberships ?? [])
      if (m.tenant && !tenants.some((t) => t.id === m.tenant!.id)) tenants.push(m.tenant);
    return {
      state,
      user,
      signedIn: adopt,
      signOut,
      chooseLocale,
      endLocally,
      refresh,
      tenants,
      idleLimit,
      rolesIn: (slug) => (user?.memberships ?? []).filter((m) => m.tenant?.slug === slug).map((m) => m.role),
      isPlatformAdmin: (user?.memberships ?? []).some((m) => m.role === 'platform_admin'),
    };
  }, [state, adopt, signOut, endLocally, refresh, idleLimit]);

  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): SessionApi {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

/** Minutes since the last answered request; the server's idle clock restarts with each one. */
export const idleMinutes = () => (Date.now() - lastServerActivity()) / 60_000;
