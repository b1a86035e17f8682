import { useCallback, useState } from "react";
import { flushSync } from "react-dom";
import { useTranslation } from "react-i18next";
import { api } from "../api";
import { FailureNote } from "./FailureNote";
import { languageFor } from "../i18n";
import type { Paper, PaperOf } from "../types";
import { PaperView } from "./PaperView";
import { PrintSheet } from "./PrintSheet";

/** A report's page as it is now, in the window's language (asking for it issues nothing). */
export function reportPage(of: PaperOf, language: string): Promise<Paper> {
  return api.paper(of, languageFor(language));
}

interface Props {
  /** The page shown (a receipt: printing it again is the same receipt), or how to ask for the
   * page as it is now (a report, whose figures move while payments settle). */
  paper: Paper | (() => Promise<Paper>);
  /** Names the buttons and the printed page: print-{name}, pdf-{name} and {name}-print. */
  name: string;
  /** Print takes the focus as it appears (a dialog that opens to print). */
  focusPrint?: boolean;
}

/**
 * Print and Save as PDF for one page. Print puts the page alone on a print sheet and opens the
 * system's print dialog; it is only ever called from a click (a dialog nothing could dismiss
 * must not open by itself). Save as PDF writes the same page where the system's save dialog says.
 */
export function PaperActions({ paper, name, focusPrint = false }: Props) {
  const { t } = useTranslation();
  const [printing, setPrinting] = useState<Paper | null>(null);
  const donePrinting = useCallback(() => setPrinting(null), []);
  const [busy, setBusy] = useState<"print" | "pdf" | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const pageNow = () => (typeof paper === "function" ? paper() : Promise.resolve(paper));

  async function print() {
    setError(null);
    setSaved(null);
    setBusy("print");
    try {
      const page = await pageNow();
      // The sheet is on the page before the print dialog reads it.
      flushSync(() => {
        setBusy(null);
        setPrinting(page);
      });
      window.print();
    } catch (e) {
      setBusy(null);
      setError(e);
    }
  }

  async function savePdf() {
    setError(null);
    setSaved(null);
    setBusy("pdf");
    try {
      const file = await api.savePaperPdf(await pageNow(), t("paper.saveTitle"));
      // Cancelled in the save dialog: nothing was written, nothing to say.
      if (file) setSaved(file.path);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="paper-actions">
      <button type="button" className="small" data-testid={`print-${name}`} autoFocus={focusPrint} disabled={busy !== null} onClick={() => void print()}>
        {busy === "print" ? t("paper.preparing") : t("paper.print")}
      </button>
      <button type="button" className="small" data-testid={`pdf-${name}`} disabled={busy !== null} onClick={() => void savePdf()}>
        {busy === "pdf" ? t("paper.saving") : t("paper.pdf")}
      </button>
      {saved && (
        <span className="ok" role="status" data-testid={`${name}-pdf-saved`}>
          {t("paper.saved", { path: saved })}
        </span>
      )}
      {error !== null && <FailureNote error={error} testId={`${name}-paper-error`} />}
      {printing && (
        <PrintSheet onDone={donePrinting}>
          <PaperView paper={printing} testId={`${name}-print`} />
        </PrintSheet>
      )}
    </div>
  );
}
