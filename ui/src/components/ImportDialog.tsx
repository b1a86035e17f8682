import { useEffect, useRef, useState } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { errorMessage, listenTo } from "../api";
import { useImportOrders } from "../queries/mutations";
import type { FileFormat, ImportProgress, ImportSummary, ProfileView } from "../types";
import { invalidSentence } from "../invalid";
import { formatBytes } from "../words";
import { Modal } from "./Modal";

interface Props {
  profiles: ProfileView[];
  /** The backend's limit; the page refuses a larger file before reading it. */
  maxBytes: number;
  onClose: () => void;
}

type Phase =
  | { kind: "choose" }
  | { kind: "importing"; progress: ImportProgress | null; total: number | null }
  | { kind: "done"; summary: ImportSummary }
  | { kind: "failed"; message: string };

export function formatOf(fileName: string): FileFormat | null {
  const ext = fileName.toLowerCase().split(".").pop();
  return ext === "csv" || ext === "json" ? ext : null;
}

/** Rows in a CSV text: its non-empty lines less the header (a quoted line break overcounts). */
export function csvRowEstimate(text: string): number {
  let lines = 0;
  let inLine = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      if (inLine) lines++;
      inLine = false;
    } else if (c !== 13) {
      inLine = true;
    }
  }
  if (inLine) lines++;
  return Math.max(0, lines - 1);
}

/** A file's text as UTF-8, through FileReader, which every webview has. */
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ""));
    reader.onerror = () => reject(reader.error ?? new Error("the file cannot be read"));
    reader.readAsText(file, "utf-8");
  });
}

function reportText(s: ImportSummary, t: TFunction): string {
  const lines: string[] = [t("import.done", { imported: s.imported, rows: s.rows })];
  for (const r of s.rejected) lines.push(`${t("import.line")} ${r.line}\t${r.order_no ?? ""}\t${invalidSentence(r.problem, t)}`);
  if (s.rejected_count > s.rejected.length) lines.push(t("import.firstOnly", { shown: s.rejected.length, count: s.rejected_count }));
  return lines.join("\n");
}

export function ImportDialog({ profiles, maxBytes, onClose }: Props) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<FileFormat>("csv");
  const [profile, setProfile] = useState("");
  const [phase, setPhase] = useState<Phase>({ kind: "choose" });
  const importOrders = useImportOrders();
  const fileRef = useRef<HTMLInputElement>(null);
  const busy = phase.kind === "importing";
  const tooBig = file !== null && file.size > maxBytes;

  useEffect(() => fileRef.current?.focus(), []);

  async function start() {
    if (!file || tooBig || busy) return;
    setPhase({ kind: "importing", progress: null, total: null });
    let stop: (() => void) | null = null;
    try {
      const text = await readText(file);
      const total = format === "csv" ? csvRowEstimate(text) : null;
      setPhase({ kind: "importing", progress: null, total });
      stop = await listenTo("import-progress", (progress) =>
        setPhase((p) => (p.kind === "importing" ? { ...p, progress } : p)),
      );
      const summary = await importOrders.mutateAsync({ content: text, format, profile: profile || null });
      setPhase({ kind: "done", summary });
    } catch (e) {
      setPhase({ kind: "failed", message: errorMessage(e) });
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
          <label className="field">
            {t("import.file")}
            <input
              ref={fileRef}
              type="file"
              accept=".csv,.json,text/csv,application/json"
              aria-describedby="import-help"
              data-testid="import-file"
              onChange={(e) => {
                const chosen = e.target.files?.[0] ?? null;
                setFile(chosen);
                const guessed = chosen ? formatOf(chosen.name) : null;
                if (guessed) setFormat(guessed);
                if (phase.kind === "failed") setPhase({ kind: "choose" });
              }}
            />
          </label>
          {tooBig && (
            <p className="error" role="alert" data-testid="import-too-big">
              {t("import.tooBig", { size: formatBytes(file.size), max: formatBytes(maxBytes) })}
            </p>
          )}
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
          {phase.kind === "failed" && (
            <p className="error" role="alert" data-testid="import-error">
              {t("import.failed")}: {phase.message}
            </p>
          )}
          <footer>
            <button type="submit" className="primary" disabled={!file || tooBig} data-testid="import-start">
              {t("import.start")}
            </button>
            <button type="button" onClick={onClose}>
              {t("common.cancel")}
            </button>
          </footer>
        </form>
      )}
      {phase.kind === "importing" && <ImportProgressView progress={phase.progress} total={phase.total} />}
      {phase.kind === "done" && <ImportReport summary={phase.summary} onClose={onClose} copy={() => reportText(phase.summary, t)} />}
    </Modal>
  );
}

function ImportProgressView({ progress, total }: { progress: ImportProgress | null; total: number | null }) {
  const { t } = useTranslation();
  const read = progress?.rows_read ?? 0;
  const label = t("import.progressLabel");
  return (
    <div className="import-progress" role="status" aria-live="polite" data-testid="import-progress">
      {/* Without a row count (JSON) the bar is indeterminate: it moves without claiming a share. */}
      {total ? (
        <progress aria-label={label} max={total} value={Math.min(read, total)} />
      ) : (
        <progress aria-label={label} />
      )}
      <p>
        {!progress
          ? t("import.reading")
          : total
            ? t("import.progressOf", { read: progress.rows_read, total, imported: progress.imported, rejected: progress.rejected })
            : t("import.progress", { read: progress.rows_read, imported: progress.imported, rejected: progress.rejected })}
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
