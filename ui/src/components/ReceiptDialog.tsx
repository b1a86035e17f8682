import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { languageFor } from "../i18n";
import { useIssueReceipt } from "../queries/mutations";
import type { OrderView } from "../types";
import { Modal } from "./Modal";
import { PaperActions } from "./PaperActions";
import { PaperView } from "./PaperView";
import { FailureNote } from "./FailureNote";

/**
 * An order's receipt (小票): issued as the dialog opens, in the window's language, and shown as
 * it prints, with Print and Save as PDF. Issuing is recorded, so the dialog asks once per
 * opening: printing or saving what it shows is the same receipt, not another copy.
 */
export function ReceiptDialog({ order, onClose, fallbackFocus }: { order: OrderView; onClose: () => void; fallbackFocus?: () => HTMLElement | null }) {
  const { t, i18n } = useTranslation();
  const issue = useIssueReceipt();
  const { mutate } = issue;
  const asked = useRef(false);
  const orderNo = order.order_no;
  const language = i18n.language;
  useEffect(() => {
    // Once: a second run of the effect (React's StrictMode, a change of language) would
    // record another receipt.
    if (asked.current) return;
    asked.current = true;
    mutate({ orderNo, lang: languageFor(language) });
  }, [mutate, orderNo, language]);
  const paper = issue.data?.paper;
  // What the store says of this receipt, as the page itself says it.
  const marks = issue.data && { copy: issue.data.copy, specimen: issue.data.specimen };

  return (
    <Modal labelledBy="receipt-title" describedBy="receipt-marks" testId="receipt-dialog" className="receipt" onClose={onClose} fallbackFocus={fallbackFocus}>
      <header>
        <h2 id="receipt-title">{t("paper.receipt.title", { orderNo })}</h2>
      </header>
      {issue.isPending && <p className="hint">{t("paper.receipt.issuing")}</p>}
      {issue.error && <FailureNote error={issue.error} testId="receipt-error" />}
      {marks && (
        <div id="receipt-marks" role="status" data-testid="receipt-marks" data-copy={marks.copy} data-specimen={marks.specimen}>
          {marks.specimen && <p className="warning">{t("paper.receipt.specimen")}</p>}
          {marks.copy ? <p className="warning">{t("paper.receipt.copy")}</p> : <p className="hint">{t("paper.receipt.original")}</p>}
        </div>
      )}
      {paper && (
        // Focusable: a page longer than the box scrolls from the keyboard too.
        <div className="paper-box" tabIndex={0} role="region" aria-label={paper.title}>
          <PaperView paper={paper} testId="receipt-paper" />
        </div>
      )}
      {paper && <p className="hint">{t("paper.receipt.help")}</p>}
      <footer>
        {paper && <PaperActions paper={paper} name="receipt" focusPrint />}
        <button type="button" data-testid="close-receipt" onClick={onClose}>
          {t("common.close")}
        </button>
      </footer>
    </Modal>
  );
}
