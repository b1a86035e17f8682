import { useState } from "react";
import { useTranslation } from "react-i18next";

/** `showLabel` puts the label on the button itself, where "Copy" alone would not say what. */
export function CopyButton({ text, label, showLabel }: { text: string; label?: string; showLabel?: boolean }) {
  const { t } = useTranslation();
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      className="small"
      aria-label={label ?? t("common.copy")}
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => setDone(true), () => setDone(false));
      }}
    >
      {done ? t("common.copied") : showLabel && label ? label : t("common.copy")}
    </button>
  );
}
