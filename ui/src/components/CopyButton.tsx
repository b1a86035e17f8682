import { useState } from "react";
import { useTranslation } from "react-i18next";

/** `showLabel` puts the label on the button itself, where "Copy" alone would not say what.
 * Otherwise the button shows "Copy" and its name says what, beginning with the word it shows
 * (a person using speech says what they see). */
export function CopyButton({ text, label, showLabel }: { text: string; label?: string; showLabel?: boolean }) {
  const { t } = useTranslation();
  const [done, setDone] = useState(false);
  const named = label && !showLabel ? t(done ? "common.copiedWhat" : "common.copyWhat", { what: label }) : undefined;
  return (
    <button
      type="button"
      className="small"
      aria-label={named}
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => setDone(true), () => setDone(false));
      }}
    >
      {done ? t("common.copied") : showLabel && label ? label : t("common.copy")}
    </button>
  );
}
