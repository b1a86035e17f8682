import { useTranslation } from "react-i18next";

export function ErrorBanner({ error, onClose }: { error: string; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="banner error" role="alert">
      <strong>{t("common.somethingWrong")}</strong> <span className="grow">{error}</span>
      <button type="button" onClick={() => void navigator.clipboard?.writeText(error)}>
        {t("common.copyDetails")}
      </button>
      <button type="button" className="small" aria-label={t("common.close")} onClick={onClose}>
        ✕
      </button>
    </div>
  );
}
