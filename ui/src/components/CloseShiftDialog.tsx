import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { problemWith } from "../api";
import { useCloseShift, useOpenShift } from "../queries/mutations";
import { shiftReportQuery, useDeskNames } from "../queries/reads";
import type { Amount, AttemptState, OpenAttemptRef, Shift } from "../types";
import { formatMoney } from "../words";
import { Modal } from "./Modal";
import { ShiftReport } from "./ShiftReport";
import { SandboxBadge, StateBadge } from "./StateBadge";
import { FailureNote } from "./FailureNote";

/** A payment that keeps the shift open until acknowledged: from the report (with its amount),
 * or from a refused close (named before the report has read it). */
interface OpenPayment {
  attempt_id: number;
  order_no: string;
  state: AttemptState;
  charged?: Amount;
  currency?: string;
  sandbox: boolean;
}

/** The report's open payments, then those a refusal named that it does not have yet. */
function openPayments(fromReport: OpenPayment[], refused: OpenAttemptRef[]): OpenPayment[] {
  const known = new Set(fromReport.map((a) => a.attempt_id));
  return [...fromReport, ...refused.filter((a) => !known.has(a.attempt_id))];
}

/**
 * Closing this desk's shift (交班): the report that will be closed, each payment still open to
 * acknowledge (Confirm waits for all of them), then the closed shift's report and the next
 * shift one key away, for the hand-over.
 */
export function CloseShiftDialog({
  shift,
  onClose,
  fallbackFocus,
}: {
  shift: Shift;
  onClose: () => void;
  /** Where the focus goes back to once Close shift… is gone (the shift closed). */
  fallbackFocus?: () => HTMLElement | null;
}) {
  const { t } = useTranslation();
  const report = useQuery(shiftReportQuery(shift.id));
  const close = useCloseShift();
  const openNext = useOpenShift();
  // Who takes the desk next: named here, so the next shift is theirs.
  const names = useDeskNames().data;
  const [nextOperator, setNextOperator] = useState<string | null>(null);
  const [acknowledged, setAcknowledged] = useState<ReadonlySet<number>>(new Set());
  // Payments a refused close named: started meanwhile, or at another window of this desk.
  const [refused, setRefused] = useState<OpenAttemptRef[]>([]);
  const open = openPayments(report.data?.open ?? [], refused);
  const waiting = open.filter((a) => !acknowledged.has(a.attempt_id)).length;
  const closed = close.data;

  const firstRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const nextRef = useRef<HTMLButtonElement>(null);
  const loaded = report.data !== undefined;
  // Once the report is in: the first payment to acknowledge, or Confirm when there is none.
  useEffect(() => {
    if (loaded) (firstRef.current ?? confirmRef.current)?.focus();
  }, [loaded]);
  useEffect(() => {
    if (closed) nextRef.current?.focus();
  }, [closed]);

  const toggle = (id: number, on: boolean) => {
    const next = new Set(acknowledged);
    if (on) next.add(id);
    else next.delete(id);
    setAcknowledged(next);
  };

  const confirm = () => {
    // Exactly the payments shown and ticked.
    const ids = open.filter((a) => acknowledged.has(a.attempt_id)).map((a) => a.attempt_id);
    close.mutate(ids, {
      onError: (e) => {
        const problem = problemWith(e, "shift_has_open_attempts");
        if (problem) setRefused((was) => openPayments(was, problem.params.attempts));
      },
    });
  };

  const busy = close.isPending || openNext.isPending;
  return (
    <Modal labelledBy="close-shift-title" describedBy="close-shift-help" testId="close-shift-dialog" className="wide" canClose={!busy} onClose={onClose} fallbackFocus={fallbackFocus}>
      <header>
        <h2 id="close-shift-title">{closed ? t("shift.closing.closed", { id: closed.shift.id }) : t("shift.closing.title", { id: shift.id })}</h2>
      </header>
      <p className="hint" id="close-shift-help">
        {closed ? t("shift.closing.closedHelp") : t("shift.closing.help")}
      </p>
      {closed ? (
        <>
          <ShiftReport report={closed} />
          <form
            onSubmit={(e) => {
              e.preventDefault();
              openNext.mutate(nextOperator ?? names?.operator, { onSuccess: onClose });
            }}
          >
            <label className="field">
              {t("shift.closing.nextOperator")}
              <input value={nextOperator ?? names?.operator ?? ""} data-testid="next-operator" onChange={(e) => setNextOperator(e.target.value)} />
            </label>
            {openNext.error && <FailureNote error={openNext.error} />}
            <footer>
              <button type="button" onClick={onClose} disabled={busy}>
                {t("common.close")}
              </button>
              <button type="submit" className="primary" ref={nextRef} data-testid="open-next-shift" disabled={busy}>
                {openNext.isPending ? t("shift.opening") : t("shift.closing.openNext")}
              </button>
            </footer>
          </form>
        </>
      ) : (
        <>
          {report.error && <FailureNote error={report.error} />}
          {report.isPending && <p className="hint">{t("common.loading")}</p>}
          {report.data && (
            <fieldset className="acknowledge" data-testid="open-payments">
              <legend>{t("shift.closing.openPayments")}</legend>
              {open.length === 0 ? (
                <p className="ok">{t("shift.closing.noOpenPayments")}</p>
              ) : (
                <>
                  <p className="hint">{t("shift.closing.openPaymentsHelp")}</p>
                  <ul>
                    {open.map((a, i) => (
                      <li key={a.attempt_id}>
                        <label>
                          <input
                            type="checkbox"
                            ref={i === 0 ? firstRef : undefined}
                            data-testid={`ack-${a.attempt_id}`}
                            checked={acknowledged.has(a.attempt_id)}
                            disabled={busy}
                            onChange={(e) => toggle(a.attempt_id, e.target.checked)}
                          />
                          <span className="mono">{a.order_no}</span> <StateBadge state={a.state} />{" "}
                          {a.charged && a.currency ? (
                            <span className="num">{formatMoney(a.charged.amount, a.currency)}</span>
                          ) : (
                            <span className="hint">{t("shift.closing.amountLater")}</span>
                          )}
                          {a.sandbox && (
                            <>
                              {" "}
                              <SandboxBadge />
                            </>
                          )}
                        </label>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </fieldset>
          )}
          {report.data && <ShiftReport report={report.data} showOpen={false} />}
          {close.error && <FailureNote error={close.error} testId="close-shift-error" />}
          <footer className="commit">
            {waiting > 0 && (
              <span className="hint" data-testid="acknowledge-first">
                {t("shift.closing.toAcknowledge", { count: waiting })}
              </span>
            )}
            <span className="spacer" />
            <button type="button" onClick={onClose} disabled={busy}>
              {t("common.cancel")}
            </button>
            <button
              type="button"
              className="primary"
              ref={confirmRef}
              data-testid="confirm-close-shift"
              disabled={!report.data || waiting > 0 || busy}
              onClick={confirm}
            >
              {close.isPending ? t("shift.closing.closing") : t("shift.closing.confirm")}
            </button>
          </footer>
        </>
      )}
    </Modal>
  );
}
