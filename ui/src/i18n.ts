// The console's languages: zh-CN and en, following the system locale unless the person chose
// one in Settings (kept in localStorage).
import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import { en } from "./locales/en";
import { zhCN } from "./locales/zh-CN";

export const LANGUAGES = ["zh-CN", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = "paydesk.language";

/** zh, zh-CN, zh-Hans-CN, zh-SG → zh-CN; everything else → en. */
export function languageFor(locale: string | undefined): Language {
  return locale?.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

export function chosenLanguage(): Language | null {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  return stored === "zh-CN" || stored === "en" ? stored : null;
}

function initialLanguage(): Language {
  return chosenLanguage() ?? languageFor(globalThis.navigator?.language);
}

/** `null` follows the system locale again. */
export function setLanguage(language: Language | null) {
  if (language) globalThis.localStorage?.setItem(STORAGE_KEY, language);
  else globalThis.localStorage?.removeItem(STORAGE_KEY);
  void i18n.changeLanguage(language ?? languageFor(globalThis.navigator?.language));
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, "zh-CN": { translation: zhCN } },
  lng: initialLanguage(),
  fallbackLng: "en",
  // React escapes what it renders; escaping here too would show &amp; in the page.
  interpolation: { escapeValue: false },
  returnNull: false,
});

i18n.on("languageChanged", (lng) => {
  document.documentElement.lang = lng;
});
document.documentElement.lang = i18n.language;

export default i18n;
