import { useEffect, useRef, useState } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { api, listenTo } from "../api";
import { FailureNote } from "./FailureNote";
import { useImportOrders } from "../queries/mutations";
import type { ChosenFile, FileFormat, ImportProgress, ImportSummary, ProfileView } from "../types";
import { invalidSentence } from "../invalid";
import { formatBytes } from "../words";
import { Modal } from "./Modal";

interface Props {
  profiles: ProfileView[];
  onClose: () => void;
}

type Phase =
  | { kind: "choose" }
  | { kind: "importing"; progress: ImportProgress | null }
  | { kind: "done"; summary: ImportSummary }
  | { kind: "failed"; error: unknown };

function isFileFormat(format: string | null): format is FileFormat {
  return format === "csv" || format === "json";
}

function reportText(s: ImportSummary, t: TFunction): string {
  const lines: string[] = [t("import.done", { imported: s.imported, rows: s.rows })];
  for (const r of s.rejected) lines.push(`${t("import.line")} ${r.line}\t${r.order_no ?? ""}\t${invalidSentence(r.problem, t)}`);
  if (s.rejected_count > s.rejected.length) lines.push(t("import.firstOnly", { shown: s.rejected.length, count: s.rejected_count }));
  return lines.join("\n");
}

/**
 * Importing orders from a CSV or JSON file. The back end opens the system's file picker and
 * reads the file chosen itself, streaming it: the page never holds the file, so no size limit
 * applies and only the report comes back.
 */
export function ImportDialog({ profiles, onClose }: Props) {
  const { t } = useTranslation();
  const [chosen, setChosen] = useState<ChosenFile | null>(null);
  const [choosing, setChoosing] = useState(false);
  const [chooseError, setChooseError] = useState<{ error: unknown } | null>(null);
  const [format, setFormat] = useState<FileFormat>("csv");
  const [profile, setProfile] = useState("");
  const [phase, setPhase] = useState<Phase>({ kind: "choose" });
  const importOrders = useImportOrders();
  const chooseRef = useRef<HTMLButtonElement>(null);
  const busy = phase.kind === "importing";

  useEffect(() => chooseRef.current?.focus(), []);

  async function choose() {
    if (choosing || busy) return;
    setChoosing(true);
    setChooseError(null);
    try {
      const file = await api.chooseImportFile(t("import.chooseTitle"));
      // Cancelled in the system's picker: whatever was chosen before stays chosen.
      if (!file) return;
      setChosen(file);
      // A name that says neither keeps the format the person set.
      if (isFileFormat(file.format)) setFormat(file.format);
      setPhase({ kind: "choose" });
    } catch (e) {
      setChooseError({ error: e });
    } finally {
      setChoosing(false);
    }
  }

  async function start() {
    if (!chosen || busy || choosing) return;
    setPhase({ kind: "importing", progress: null });
    let stop: (() => void) | null = null;
    try {
      stop = await listenTo("import-progress", (progress) => setPhase((p) => (p.kind === "importing" ? { ...p, progress } : p)));
      const summary = await importOrders.mutateAsync({ format, profile: profile || null });
      setPhase({ kind: "done", summary });
    } catch (e) {
      setPhase({ kind: "failed", error: e });
    } finally {
      stop?.();
    }
  }

  return (
    <Modal labelledBy="import-title" describedBy="import-help" testId="import-dialog" className="wide" canClose={!busy} onClose={onClose}>
      <header>
        <h2 id="import-title">{t("import.title")}</h2>
      </header>
      {(phase.kind === "choose" || phase.kind === "failed") && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void start();
          }}
        >
          <p className="hint" id="import-help">
            {t("import.help")}
          </p>
          <div className="field">
            <span id="import-file-label">{t("import.file")}</span>
            <div className="file-choice">
              <button
                type="button"
                ref={chooseRef}
                disabled={choosing}
                aria-describedby="import-file-label import-chosen"
                data-testid="import-choose"
                onClick={() => void choose()}
              >
                {t("import.choose")}
              </button>
              <span id="import-chosen" data-testid="import-chosen" className={chosen ? "chosen-file" : "hint"} title={chosen?.path}>
                {chosen ? t("import.chosen", { name: chosen.name, size: formatBytes(chosen.bytes) }) : t("import.noFile")}
              </span>
            </div>
          </div>
          {chooseError && <FailureNote error={chooseError.error} testId="import-choose-error" />}
          <div className="field-row">
            <label className="field">
              {t("import.format")}
              <select value={format} data-testid="import-format" onChange={(e) => setFormat(e.target.value as FileFormat)}>
                <option value="csv">CSV</option>
                <option value="json">JSON</option>
              </select>
            </label>
            <label className="field grow">
              {t("import.profile")}
              <select value={profile} data-testid="import-profile" onChange={(e) => setProfile(e.target.value)}>
                <option value="">{t("import.fromFile")}</option>
                {profiles.map((p) => (
                  <option key={p.name} value={p.name}>
                    {p.name}
                    {p.is_sandbox ? ` (${t("term.sandbox")})` : ""}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {phase.kind === "failed" && <FailureNote error={phase.error} lead={t("import.failed")} testId="import-error" />}
          <footer>
            <button type="submit" className="primary" disabled={!chosen || choosing} data-testid="import-start">
              {t("import.start")}
            </button>
            <button type="button" onClick={onClose}>
              {t("common.cancel")}
            </button>
          </footer>
        </form>
      )}
      {phase.kind === "importing" && <ImportProgressView progress={phase.progress} />}
      {phase.kind === "done" && <ImportReport summary={phase.summary} onClose={onClose} copy={() => reportText(phase.summary, t)} />}
    </Modal>
  );
}

/** The back end counts rows, not bytes, and knows no total ahead of the end of the file: the bar
 * moves without claiming a share, and the words say how far it has got. */
function ImportProgressView({ progress }: { progress: ImportProgress | null }) {
  const { t } = useTranslation();
  return (
    <div className="import-progress" role="status" aria-live="polite" data-testid="import-progress">
      <progress aria-label={t("import.progressLabel")} />
      <p>
        {progress
          ? t("import.progress", { read: progress.rows_read, imported: progress.imported, rejected: progress.rejected })
          : t("import.reading")}
      </p>
    </div>
  );
}

function ImportReport({ summary, onClose, copy }: { summary: ImportSummary; onClose: () => void; copy: () => string }) {
  const { t } = useTranslation();
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), []);
  return (
    <div className="result" role="status" data-testid="import-report">
      <p className={summary.rejected_count ? undefined : "ok"} data-testid="import-summary">
        <strong>{t("import.done", { imported: summary.imported, rows: summary.rows })}</strong>{" "}
        {summary.rejected_count > 0 ? t("import.rejected", { count: summary.rejected_count }) : t("import.nothingRejected")}
      </p>
      {summary.rejected.length > 0 && (
        <>
          {summary.rejected_count > summary.rejected.length && (
            <p className="hint">{t("import.firstOnly", { shown: summary.rejected.length, count: summary.rejected_count })}</p>
          )}
          <div className="report-scroll">
            <table className="report" data-testid="import-rejected">
              <thead>
                <tr>
                  <th scope="col" className="num">
                    {t("import.line")}
                  </th>
                  <th scope="col">{t("term.orderNo")}</th>
                  <th scope="col">{t("import.reason")}</th>
                </tr>
              </thead>
              <tbody>
                {summary.rejected.map((r, i) => (
                  <tr key={`${r.line}-${i}`} data-line={r.line}>
                    <td className="num">{r.line}</td>
                    <td className="mono">{r.order_no ?? t("common.none")}</td>
                    <td>{invalidSentence(r.problem, t)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <footer>
        <button type="button" className="primary" ref={closeRef} data-testid="import-close" onClick={onClose}>
          {t("common.close")}
        </button>
        {summary.rejected_count > 0 && (
          <button type="button" onClick={() => void navigator.clipboard?.writeText(copy())}>
            {t("import.copyReport")}
          </button>
        )}
      </footer>
    </div>
  );
}
