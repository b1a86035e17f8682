import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { dayReportQuery } from "../queries/reads";
import type { DayReport, Totals } from "../types";
import { formatMoney, formatTime } from "../words";
import { PaperActions, reportPage } from "./PaperActions";
import { Currency, Named } from "./ShiftReport";
import { FailureNote } from "./FailureNote";

/** What some payments came to, a line per currency: money in, money out and what vouchers and
 * coupons deducted, each apart and as the back end wrote it (currencies are never added). */
function MoneyTable({ totals, label }: { totals: Totals; label: string }) {
  const { t } = useTranslation();
  if (totals.currencies.length === 0) return <p className="empty">{t("paper.day.nothing")}</p>;
  return (
    <table className="shift-lines day-money" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">{t("paper.day.currency")}</th>
          <th scope="col" className="num">
            {t("shift.report.takenIn")}
          </th>
          <th scope="col" className="num">
            {t("shift.report.paidOut")}
          </th>
          <th scope="col" className="num">
            {t("shift.report.deducted")}
          </th>
        </tr>
      </thead>
      <tbody>
        {totals.currencies.map((c) => (
          <tr key={c.currency} data-currency={c.currency}>
            <td>{c.currency}</td>
            <td className="num">{formatMoney(c.taken_in.amount, c.currency)}</td>
            <td className="num">{formatMoney(c.paid_out.amount, c.currency)}</td>
            <td className="num">{formatMoney(c.deducted.amount, c.currency)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The day's figures: all desks (every line), each desk, each shift, outside any shift, and the
 * payments not settled yet. */
function DayFigures({ report, onShowShift }: { report: DayReport; onShowShift: (shiftId: number) => void }) {
  const { t } = useTranslation();
  const count = (totals: Totals) => t("paper.day.payments", { count: totals.attempts });
  return (
    <>
      <section aria-labelledby="day-all" data-testid="day-totals">
        <h3 id="day-all">
          {t("paper.day.allDesks")} <span className="hint">· {count(report.totals)}</span>
        </h3>
        {report.totals.currencies.length === 0 && <p className="empty">{t("paper.day.nothing")}</p>}
        {report.totals.currencies.map((c) => (
          <Currency key={c.currency} totals={c} />
        ))}
        {report.totals.sandbox_left_out > 0 && (
          <p className="hint" data-testid="day-sandbox-left-out">
            {t("shift.report.sandbox", { count: report.totals.sandbox_left_out })}
          </p>
        )}
      </section>
      <section aria-labelledby="day-desks" data-testid="day-desks">
        <h3 id="day-desks">{t("paper.day.byDesk")}</h3>
        {report.desks.length === 0 && <p className="empty">{t("paper.day.noDesks")}</p>}
        {report.desks.map((d) => (
          <div key={d.desk} className="day-part" data-desk={d.desk}>
            <h4>
              {d.desk} <span className="hint">· {count(d.totals)}</span>
            </h4>
            <MoneyTable totals={d.totals} label={`${t("paper.day.desk")} ${d.desk}`} />
          </div>
        ))}
      </section>
      <section aria-labelledby="day-shifts" data-testid="day-shifts">
        <h3 id="day-shifts">{t("paper.day.byShift")}</h3>
        {report.shifts.length === 0 && <p className="empty">{t("paper.day.noShifts")}</p>}
        {report.shifts.map(({ shift, totals }) => (
          <div key={shift.id} className="day-part" data-shift-id={shift.id}>
            <h4>
              {t("shift.report.title", { id: shift.id, desk: shift.desk })} <span className="hint">· {count(totals)}</span>
            </h4>
            <p className="shift-when">
              {t("shift.report.opened", { time: formatTime(shift.opened_at), who: shift.opened_by || "—" })}
              {" · "}
              {shift.closed_at === null ? <strong>{t("shift.report.stillOpen")}</strong> : t("shift.report.closed", { time: formatTime(shift.closed_at), who: shift.closed_by || "—" })}{" "}
              <button type="button" className="small" aria-label={t("shift.past.reportOf", { id: shift.id })} onClick={() => onShowShift(shift.id)}>
                {t("paper.day.report")}
              </button>
            </p>
            <MoneyTable totals={totals} label={t("shift.report.title", { id: shift.id, desk: shift.desk })} />
          </div>
        ))}
      </section>
      <section aria-labelledby="day-outside" data-testid="day-outside">
        <h3 id="day-outside">
          {t("paper.day.outside")} <span className="hint">· {count(report.outside_shifts)}</span>
        </h3>
        <p className="hint">{t("paper.day.outsideHelp")}</p>
        <MoneyTable totals={report.outside_shifts} label={t("paper.day.outside")} />
      </section>
      <Named attempts={report.open} testId="day-open" title={t("paper.day.open")} help={t("paper.day.openHelp")} />
    </>
  );
}

/**
 * The end of the day (日结): what every desk took on one day of the merchant's calendar (today
 * until another day is chosen), printed and saved as the back end's page of that day.
 */
export function DayReportSection({ onShowShift }: { onShowShift: (shiftId: number) => void }) {
  const { t, i18n } = useTranslation();
  // null: today on the merchant's calendar, as the back end reckons it (its time zone).
  const [date, setDate] = useState<string | null>(null);
  const report = useQuery({ ...dayReportQuery(date), placeholderData: keepPreviousData });
  const data = report.data;
  const day = data?.day.date ?? date;
  const language = i18n.language;
  const page = useCallback(() => reportPage({ kind: "day", date: day }, language), [day, language]);
  return (
    <section className="card day-report" aria-labelledby="day-report-title" data-testid="day-report">
      <div className="view-head">
        <h2 id="day-report-title">{t("paper.day.title")}</h2>
        <span className="spacer" />
        <label className="inline">
          {t("paper.day.date")}
          <input type="date" data-testid="day-date" value={date ?? data?.day.date ?? ""} onChange={(e) => setDate(e.target.value || null)} />
        </label>
      </div>
      <p className="hint">{t("paper.day.help")}</p>
      {report.error && <FailureNote error={report.error} testId="day-error" />}
      {report.isPending && <p className="hint">{t("common.loading")}</p>}
      {data && (
        <>
          <p data-testid="day-of" aria-live="polite">
            {t("paper.day.zone", { date: data.day.date, zone: data.time_zone })}
          </p>
          <div className="report-actions">
            <PaperActions paper={page} name="day-report" />
          </div>
          <DayFigures report={data} onShowShift={onShowShift} />
        </>
      )}
    </section>
  );
}
