// German, English and French. Keys are flat ("area.thing"); `{name}` placeholders are filled from vars.
// Dates and numbers go through Intl in the active language.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import de from './de.json';
import en from './en.json';
import fr from './fr.json';

export type Locale = 'en' | 'de' | 'fr';
export const LOCALES: Locale[] = ['en', 'de', 'fr'];
const dictionaries: Record<Locale, Record<string, string>> = { en, de, fr };
const INTL_LOCALE: Record<Locale, string> = { en: 'en-GB', de: 'de-DE', fr: 'fr-FR' };

export type TFunction = (key: string, vars?: Record<string, string | number>) => string;

export function translate(locale: Locale, key: string, vars?: Record<string, string | number>): string {
  const s = dictionaries[locale][key] ?? dictionaries.en[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : s;
}

/**
 * A code the API sends (entity type, status, table, rule) as words: its message under `family`,
 * else the code spelled as words, so that no page shows a raw identifier such as DE_PENSION_NO.
 */
export function translateCode(locale: Locale, family: string, value: string | null | undefined): string {
  if (!value) return '—';
  const key = `${family}.${value}`;
  const s = dictionaries[locale][key] ?? dictionaries.en[key];
  if (s) return s;
  const words = value.replace(/[_.-]+/g, ' ').toLowerCase().trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function browserLocale(): Locale {
  const langs = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  for (const l of langs) {
    const base = l.toLowerCase().slice(0, 2);
    if (base === 'de' || base === 'en' || base === 'fr') return base;
  }
  return 'en';
}

export const asLocale = (l: string | null | undefined): Locale | null =>
  l && (LOCALES as string[]).includes(l.slice(0, 2)) ? (l.slice(0, 2) as Locale) : null;

// Before sign-in the language a visitor picks lives in localStorage (not personal: 'de' or 'en');
// at sign-in it is moved onto the account (PUT /api/v1/me/locale) and the key removed, so a
// signed-in (or signed-out) console keeps nothing in web storage.
const PICKED = 'vigil.locale';
const stored = (k: string): Locale | null => {
  try {
    return asLocale(localStorage.getItem(k));
  } catch {
    return null;
  }
};
const store = (k: string, v: string | null) => {
  try {
    if (v === null) localStorage.removeItem(k);
    else localStorage.setItem(k, v);
  } catch {
    // storage disabled: the language is then only kept on the account
  }
};
/** The language picked on the sign-in page, if any (to carry onto the account). */
export const pickedLocale = () => stored(PICKED);
export const rememberPickedLocale = (l: Locale) => store(PICKED, l);
export const clearStoredLocale = () => store(PICKED, null);
const initialLocale = (): Locale => stored(PICKED) ?? browserLocale();

interface I18n {
  locale: Locale;
  setLocale(l: Locale): void;
  t: TFunction;
  /** See translateCode. */
  code(family: string, value: string | null | undefined): string;
  formatDateTime(iso: string | number | Date | null | undefined): string;
  formatNumber(n: number): string;
}

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocale] = useState<Locale>(initialLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const t = useCallback<TFunction>((key, vars) => translate(locale, key, vars), [locale]);
  const value = useMemo<I18n>(() => {
    const dtf = new Intl.DateTimeFormat(INTL_LOCALE[locale], {
      dateStyle: 'medium',
      timeStyle: 'short',
    });
    const nf = new Intl.NumberFormat(INTL_LOCALE[locale]);
    return {
      locale,
      setLocale,
      t,
      code: (family, v) => translateCode(locale, family, v),
      formatDateTime: (v) => (v === null || v === undefined || v === '' ? '—' : dtf.format(new Date(v))),
      formatNumber: (n) => nf.format(n),
    };
  }, [locale, t]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
