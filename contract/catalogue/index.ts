/** The text catalogue (zh-CN and en) and how it is read. */
export { CATALOGUE, type TextKey } from './catalogue.js'
export { DEFAULT_LOCALE, LOCALES, hasText, isLocale, localized, negotiateLocale, paramsOf, text, type Locale, type Localized } from './text.js'
