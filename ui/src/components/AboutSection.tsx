import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { diagnosticsText, storeKind, withoutPasswords } from "../diagnostics";
import { activityQuery, statusChecksQuery, useAppInfo } from "../queries/reads";

/** Settings' "About paydesk": which build this is and where it keeps its data, and a block of
 * diagnostics to paste into a support request. */
export function AboutSection() {
  const { t, i18n } = useTranslation();
  const info = useAppInfo().data;
  const ready = info !== undefined && !info.startup_error;
  // The status bar asks these on its own schedule; here they are read as last found, and asked
  // once if the status bar has not yet.
  const checks = useQuery({ ...statusChecksQuery(), enabled: ready }).data;
  const activity = useQuery({ ...activityQuery(), enabled: ready }).data;
  const [copied, setCopied] = useState(false);
  if (!info) return null;

  const kind = storeKind(checks);
  const store =
    kind === "postgres"
      ? t("about.storePostgres", { url: withoutPasswords(checks?.store.url ?? "") })
      : kind === "sqlite"
        ? t("about.storeSqlite")
        : t("about.storeUnknown");
  // Built as the button is drawn, so the copy says what the window says now.
  const diagnostics = diagnosticsText({
    info,
    checks,
    activity,
    language: i18n.language,
    systemLanguage: navigator.language,
    userAgent: navigator.userAgent,
    now: new Date(),
  });

  return (
    <section className="about" aria-labelledby="about-title" data-testid="about">
      <h2 id="about-title">{t("about.title")}</h2>
      <dl className="facts">
        <dt>{t("about.version")}</dt>
        <dd data-testid="about-version">{info.version}</dd>
        <dt>{t("about.commit")}</dt>
        <dd className="mono" data-testid="about-commit">
          {info.commit}
        </dd>
        <dt>{t("about.dataDir")}</dt>
        <dd className="mono" data-testid="about-data-dir">
          {info.data_dir}
        </dd>
        <dt>{t("about.dataSet")}</dt>
        <dd data-testid="about-data-set">{t(`dataSet.${info.data_set}`)}</dd>
        <dt>{t("about.store")}</dt>
        <dd data-testid="about-store" data-kind={kind ?? "unknown"}>
          {store}
        </dd>
      </dl>
      <p className="hint" id="about-copy-help">
        {t("about.copyHelp")}
      </p>
      <button
        type="button"
        aria-describedby="about-copy-help"
        data-testid="copy-diagnostics"
        onClick={() => {
          void navigator.clipboard?.writeText(diagnostics).then(() => setCopied(true), () => setCopied(false));
        }}
      >
        {t("about.copy")}
      </button>
      <span role="status" className="ok about-copied" data-testid="diagnostics-copied">
        {copied ? t("common.copied") : ""}
      </span>
    </section>
  );
}
