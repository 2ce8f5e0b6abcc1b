// Translation for agents with personal data withheld from every provider (issue 29).
import type { Config } from '../platform/config.ts';
import { createApertiumProvider } from './apertium.ts';
import { createDeeplProvider, createLibreTranslateProvider } from './http-providers.ts';
import type { TranslationProvider } from './provider.ts';

export { type ApertiumOptions, createApertiumProvider } from './apertium.ts';
export { type Detection, detectLanguage } from './detect.ts';
export {
  createDeeplProvider,
  createLibreTranslateProvider,
  type HttpProviderOptions,
} from './http-providers.ts';
export { isLanguage, LANGUAGES, type Language, type TranslationProvider } from './provider.ts';
export { translationRoutes } from './routes.ts';
export {
  createLanguageRouting,
  type LanguageRouter,
  type LanguageRouting,
  routeByLanguage,
} from './routing.ts';
export { languageRoutingRoutes } from './routing-routes.ts';
export {
  type ConversationPort,
  createTranslationService,
  customerLanguage,
  type TranslationService,
} from './service.ts';
export { restore, translateWithheld, type Withheld, withhold } from './withhold.ts';

/** The provider the configuration selects; null when translation is off or incompletely set up. */
export function translationProviderFor(
  config: Pick<Config, 'translationProvider' | 'translationUrl' | 'translationApiKey' | 'apertiumBinary'>,
): TranslationProvider | null {
  switch (config.translationProvider) {
    case 'apertium':
      return createApertiumProvider(config.apertiumBinary ? { binary: config.apertiumBinary } : {});
    case 'deepl':
      return config.translationUrl
        ? createDeeplProvider({ url: config.translationUrl, apiKey: config.translationApiKey })
        : null;
    case 'libretranslate':
      return config.translationUrl
        ? createLibreTranslateProvider({ url: config.translationUrl, apiKey: config.translationApiKey })
        : null;
    default:
      return null;
  }
}
