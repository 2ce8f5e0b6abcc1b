// The one port every translation engine implements. Providers receive text that has already had
// its personal data withheld (withhold.ts); they never see a span the PII engine found.

/** Languages Vigil routes and translates between (ISO 639-1). */
export const LANGUAGES = ['de', 'en', 'es', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];
export const isLanguage = (v: unknown): v is Language =>
  typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);

export interface TranslationProvider {
  /** Stable name for audit events and configuration ("apertium", "deepl", "libretranslate"). */
  readonly name: string;
  supports(from: Language, to: Language): boolean;
  /** How placeholder number `n` is written so that this engine carries it through untouched. */
  placeholder(n: number): string;
  /** Finds placeholders in the engine's output (group 1: the number); tolerant of added spaces. */
  readonly placeholderPattern: RegExp;
  translate(text: string, from: Language, to: Language): Promise<string>;
}

/** Plain placeholder that rule-based and neural engines copy as an unknown symbol. */
export const BRACKET_PLACEHOLDER = {
  placeholder: (n: number) => `⟦${n}⟧`,
  placeholderPattern: /⟦\s*(\d+)\s*⟧/g,
};
