import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useAppInfo } from "../queries/reads";
import { DataSetDialog } from "./DataSetSwitch";

/** Above every view while the demo is shown: no one takes its payments for real ones. The live
 * data shows nothing here. */
export function DemoBanner({ fallbackFocus }: { fallbackFocus?: () => HTMLElement | null }) {
  const { t } = useTranslation();
  const info = useAppInfo().data;
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      {info?.data_set === "demo" && (
        <div className="banner demo" role="note" aria-labelledby="demo-banner-title" data-testid="demo-banner">
          <span className="badge demo" aria-hidden="true">
            {t("dataSet.demo")}
          </span>
          <span className="grow">
            <strong id="demo-banner-title">{t("dataSet.bannerTitle")}</strong> {t("dataSet.bannerText")}
          </span>
          <button type="button" data-testid="start-live" onClick={() => setConfirming(true)}>
            {t("dataSet.startLive")}
          </button>
        </div>
      )}
      {/* Beside the banner, not in it: the dialog outlives it, closing once the live data is
          open, and the focus goes where the caller says (the button that opened it is gone). */}
      {confirming && <DataSetDialog to="live" onClose={() => setConfirming(false)} fallbackFocus={fallbackFocus} />}
    </>
  );
}
