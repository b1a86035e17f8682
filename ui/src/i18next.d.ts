// Every t() key is checked against the English words: a key that does not exist fails the
// type check. zh-CN.ts is typed as the same shape (Resources), so it has every key too.
import "i18next";
import type { en } from "./locales/en";

declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    resources: { translation: typeof en };
  }
}
