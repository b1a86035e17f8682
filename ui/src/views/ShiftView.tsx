import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { problemWith } from "../api";
import { CloseShiftDialog } from "../components/CloseShiftDialog";
import { DayReportSection } from "../components/DayReportSection";
import { Modal } from "../components/Modal";
import { ShiftReport } from "../components/ShiftReport";
import { useOpenShift } from "../queries/mutations";
import { currentShiftQuery, shiftListQuery, shiftReportQuery, useDeskNames, useReadOnly } from "../queries/reads";
import type { Shift } from "../types";
import { formatTime } from "../words";
import { FailureNote } from "../components/FailureNote";

/** A past shift's report, read only: nothing in it can be changed, only printed or saved. */
function PastShiftDialog({ shiftId, onClose }: { shiftId: number; onClose: () => void }) {
  const { t } = useTranslation();
  const report = useQuery(shiftReportQuery(shiftId));
  return (
    <Modal labelledBy="past-shift-title" testId="past-shift-dialog" className="wide" onClose={onClose}>
      <header>
        <h2 id="past-shift-title">{t("shift.past.reportOf", { id: shiftId })}</h2>
      </header>
      {report.error && <FailureNote error={report.error} />}
      {report.isPending && <p className="hint">{t("common.loading")}</p>}
      {report.data && <ShiftReport report={report.data} />}
      <footer>
        <button type="button" className="primary" data-testid="close-past-shift" onClick={onClose}>
          {t("common.close")}
        </button>
      </footer>
    </Modal>
  );
}

/** This desk's shifts (every desk's on request), newest first, each opening its report. */
function PastShifts({ onShow }: { onShow: (shiftId: number) => void }) {
  const { t } = useTranslation();
  const [allDesks, setAllDesks] = useState(false);
  // The list stays while the other one is asked for, rather than collapsing and growing back.
  const list = useQuery({ ...shiftListQuery(allDesks), placeholderData: keepPreviousData });
  const shifts = list.data ?? [];
  return (
    <section className="card shift-past" aria-labelledby="past-shifts-title">
      <div className="view-head">
        <h2 id="past-shifts-title">{t("shift.past.title")}</h2>
        <span className="spacer" />
        <label className="inline">
          <input type="checkbox" data-testid="all-desks" checked={allDesks} onChange={(e) => setAllDesks(e.target.checked)} /> {t("shift.past.allDesks")}
        </label>
      </div>
      {list.error && <FailureNote error={list.error} />}
      {list.data && shifts.length === 0 && <p className="empty">{t("shift.past.empty")}</p>}
      {shifts.length > 0 && (
        <div className="audit-scroll shift-scroll">
          <table className="audit-table" data-testid="past-shifts" data-all-desks={allDesks}>
            <thead>
              <tr>
                <th scope="col">{t("shift.past.shift")}</th>
                <th scope="col">{t("shift.past.desk")}</th>
                <th scope="col">{t("shift.past.opened")}</th>
                <th scope="col">{t("shift.past.openedBy")}</th>
                <th scope="col">{t("shift.past.closed")}</th>
                <th scope="col">{t("shift.past.closedBy")}</th>
                <th scope="col">
                  <span className="visually-hidden">{t("shift.past.report")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shifts.map((s) => (
                <tr key={s.id} data-shift-id={s.id}>
                  <td className="num">{s.id}</td>
                  <td>{s.desk}</td>
                  <td className="when">{formatTime(s.opened_at)}</td>
                  <td>{s.opened_by || t("common.none")}</td>
                  <td className="when">{s.closed_at === null ? <strong>{t("shift.past.openNow")}</strong> : formatTime(s.closed_at)}</td>
                  <td>{s.closed_by || t("common.none")}</td>
                  <td>
                    <button type="button" className="small" aria-label={t("shift.past.reportOf", { id: s.id })} onClick={() => onShow(s.id)}>
                      {t("shift.past.report")}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * The Shift view (交班): this desk's open shift with its running report, opening and closing it
 * (hand-over: close, then open the next), and the past shifts. A desk that may only read sees
 * the shifts and their reports but neither opens nor closes one.
 */
export function ShiftView() {
  const { t } = useTranslation();
  const readOnly = useReadOnly();
  const current = useQuery(currentShiftQuery());
  const shift = current.data;
  // The open shift's running report; with none open, the desk's last shift's (if it had one).
  const report = useQuery({ ...shiftReportQuery(shift ? shift.id : null), enabled: shift !== undefined });
  const neverHadOne = problemWith(report.error, "no_shift") !== null;
  const open = useOpenShift();
  // Who takes the desk: the desk's operator until someone types another name.
  const names = useDeskNames().data;
  const [operator, setOperator] = useState<string | null>(null);
  const [closing, setClosing] = useState<Shift | null>(null);
  const [viewing, setViewing] = useState<number | null>(null);
  // Where the focus goes once the button that had it is gone (opened, closed, handed over).
  const stateRef = useRef<HTMLParagraphElement>(null);

  return (
    <section className="view shift" aria-labelledby="shift-title" data-testid="shift-view">
      <h1 id="shift-title">{t("shift.title")}</h1>
      <p className="hint shift-help">{t("shift.help")}</p>
      {readOnly && (
        <p className="notice" data-testid="shift-read-only">
          {t("shift.readOnly")}
        </p>
      )}
      <section className="card shift-current" aria-labelledby="shift-current-title" data-testid="shift-current">
        <h2 id="shift-current-title">{t("shift.current")}</h2>
        {current.error && <FailureNote error={current.error} />}
        {shift !== undefined && (
          <div className="shift-state">
            <p ref={stateRef} tabIndex={-1} data-testid="shift-state" data-open={shift !== null}>
              {shift ? (
                t("shift.openSince", { id: shift.id, time: formatTime(shift.opened_at), who: shift.opened_by || t("common.none") })
              ) : (
                <strong>{t("shift.noneOpen")}</strong>
              )}
            </p>
            {!readOnly && shift === null && (
              <form
                className="field-row"
                onSubmit={(e) => {
                  e.preventDefault();
                  open.mutate(operator ?? names?.operator, { onSuccess: () => stateRef.current?.focus() });
                }}
              >
                <label className="field">
                  {t("shift.openedBy")}
                  <input value={operator ?? names?.operator ?? ""} data-testid="shift-operator" onChange={(e) => setOperator(e.target.value)} />
                </label>
                <button type="submit" className="primary" data-testid="open-shift" disabled={open.isPending}>
                  {open.isPending ? t("shift.opening") : t("shift.open")}
                </button>
              </form>
            )}
            {!readOnly && shift && (
              <button type="button" data-testid="close-shift" onClick={() => setClosing(shift)}>
                {t("shift.close")}
              </button>
            )}
          </div>
        )}
        {shift === null && !readOnly && <p className="hint">{t("shift.noneOpenHelp")}</p>}
        {open.error && <FailureNote error={open.error} testId="open-shift-error" />}
        {report.error && !neverHadOne && <FailureNote error={report.error} />}
        {report.data && <p className="hint">{shift ? t("shift.running") : t("shift.lastClosed")}</p>}
        {report.data && <ShiftReport report={report.data} />}
      </section>
      <DayReportSection onShowShift={setViewing} />
      <PastShifts onShow={setViewing} />
      {closing && <CloseShiftDialog shift={closing} onClose={() => setClosing(null)} fallbackFocus={() => stateRef.current} />}
      {viewing !== null && <PastShiftDialog shiftId={viewing} onClose={() => setViewing(null)} />}
    </section>
  );
}
