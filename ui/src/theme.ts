// Light, dark or the system's: a data-theme attribute on <html> that styles.css reads.
export type Theme = "system" | "light" | "dark";
const STORAGE_KEY = "paydesk.theme";

export function storedTheme(): Theme {
  const t = globalThis.localStorage?.getItem(STORAGE_KEY);
  return t === "light" || t === "dark" ? t : "system";
}

export function applyTheme(theme: Theme) {
  if (theme === "system") {
    globalThis.localStorage?.removeItem(STORAGE_KEY);
    delete document.documentElement.dataset.theme;
  } else {
    globalThis.localStorage?.setItem(STORAGE_KEY, theme);
    document.documentElement.dataset.theme = theme;
  }
}
