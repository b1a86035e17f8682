import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSwitchDataSet } from "../queries/mutations";
import { useAppInfo } from "../queries/reads";
import type { DataSet } from "../types";
import { Modal } from "./Modal";
import { FailureNote } from "./FailureNote";

/**
 * Opening the other data set, once the person has read what it means: the live data starts
 * apart from the demo and runs no sandbox; the demo's payments are never real; whichever is
 * left is kept as it is.
 */
export function DataSetDialog({ to, onClose, fallbackFocus }: { to: DataSet; onClose: () => void; fallbackFocus?: () => HTMLElement | null }) {
  const { t } = useTranslation();
  const switchTo = useSwitchDataSet();
  // The focus starts where nothing changes: Enter or Esc keeps the data set shown.
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => cancelRef.current?.focus(), []);
  const points =
    to === "live"
      ? [t("dataSet.toLiveEmpty"), t("dataSet.toLiveNoSandbox"), t("dataSet.toLiveDemoKept")]
      : [t("dataSet.toDemoNotReal"), t("dataSet.toDemoLiveKept")];
  return (
    <Modal
      labelledBy="data-set-title"
      describedBy="data-set-what"
      testId="data-set-dialog"
      canClose={!switchTo.isPending}
      onClose={onClose}
      fallbackFocus={fallbackFocus}
    >
      <header>
        <h2 id="data-set-title">{to === "live" ? t("dataSet.startLiveTitle") : t("dataSet.openDemoTitle")}</h2>
      </header>
      <ul id="data-set-what" className="data-set-points">
        {points.map((point) => (
          <li key={point}>{point}</li>
        ))}
      </ul>
      {switchTo.error && <FailureNote error={switchTo.error} />}
      <footer>
        <button
          type="button"
          className="primary"
          data-testid="confirm-data-set"
          disabled={switchTo.isPending}
          onClick={() => switchTo.mutate(to, { onSuccess: onClose })}
        >
          {switchTo.isPending ? t("dataSet.switching") : to === "live" ? t("dataSet.confirmLive") : t("dataSet.confirmDemo")}
        </button>
        <button type="button" ref={cancelRef} disabled={switchTo.isPending} onClick={onClose}>
          {t("common.cancel")}
        </button>
      </footer>
    </Modal>
  );
}

/** Settings' "Data": which data set is shown, and opening the other one. */
export function DataSetSettings() {
  const { t } = useTranslation();
  const info = useAppInfo().data;
  const [confirming, setConfirming] = useState(false);
  const switchRef = useRef<HTMLButtonElement>(null);
  if (!info) return null;
  const other: DataSet = info.data_set === "demo" ? "live" : "demo";
  return (
    <section className="data-set-settings" aria-labelledby="data-set-settings-title" data-testid="data-set-settings" data-set={info.data_set}>
      <h2 id="data-set-settings-title">{t("dataSet.title")}</h2>
      <p id="data-set-shown">{info.data_set === "demo" ? t("dataSet.shownDemo") : t("dataSet.shownLive")}</p>
      <button type="button" ref={switchRef} data-testid="switch-data-set" aria-describedby="data-set-shown" onClick={() => setConfirming(true)}>
        {other === "live" ? t("dataSet.startLive") : t("dataSet.openDemo")}
      </button>
      {confirming && <DataSetDialog to={other} onClose={() => setConfirming(false)} fallbackFocus={() => switchRef.current} />}
    </section>
  );
}
