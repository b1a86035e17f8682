import { useState } from "react";
import { useTranslation } from "react-i18next";
import { AboutSection } from "../components/AboutSection";
import { DataSetSettings } from "../components/DataSetSwitch";
import { DeskSettings } from "../components/DeskSettings";
import { MerchantSettings } from "../components/MerchantSettings";
import { chosenLanguage, setLanguage, type Language } from "../i18n";
import { applyTheme, storedTheme, type Theme } from "../theme";

/** `editDesk`: opened to change the desk's names (the header's), so their first field has the focus. */
export function SettingsView({ editDesk = false }: { editDesk?: boolean }) {
  const { t } = useTranslation();
  const [language, setLang] = useState<Language | "system">(chosenLanguage() ?? "system");
  const [theme, setTheme] = useState<Theme>(storedTheme());
  return (
    <section className="view settings" aria-labelledby="settings-title">
      <h1 id="settings-title">{t("settings.title")}</h1>
      <label className="field">
        {t("settings.language")}
        <select
          value={language}
          data-testid="language"
          onChange={(e) => {
            const v = e.target.value as Language | "system";
            setLang(v);
            setLanguage(v === "system" ? null : v);
          }}
        >
          <option value="system">{t("settings.systemLanguage")}</option>
          <option value="zh-CN">简体中文</option>
          <option value="en">English</option>
        </select>
      </label>
      <label className="field">
        {t("settings.theme")}
        <select
          value={theme}
          data-testid="theme"
          onChange={(e) => {
            const v = e.target.value as Theme;
            setTheme(v);
            applyTheme(v);
          }}
        >
          <option value="system">{t("settings.themeSystem")}</option>
          <option value="light">{t("settings.themeLight")}</option>
          <option value="dark">{t("settings.themeDark")}</option>
        </select>
      </label>
      <DeskSettings autoFocus={editDesk} />
      <MerchantSettings />
      <DataSetSettings />
      <AboutSection />
    </section>
  );
}
