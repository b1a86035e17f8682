import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { managerDayQuery } from "../queries/reads";
import type { ComparedDays, DayComparison, MoneyCompared, ShiftReport, Tally } from "../types";
import { dayStart, formatMinute, formatMoney, formatTime } from "../words";
import { DayRates } from "./DayRates";
import { FailureReasons } from "./FailureReasons";
import { FailureNote } from "./FailureNote";

/** How `today` stands against an earlier day's amount by this time, in whole percent (display
 * only: the amounts themselves are the back end's); null where the earlier day had nothing. */
export function percentChange(today: number, earlier: number): { direction: "up" | "down" | "same"; percent: number } | null {
  if (earlier <= 0) return null;
  if (today === earlier) return { direction: "same", percent: 0 };
  return { direction: today > earlier ? "up" : "down", percent: Math.round((Math.abs(today - earlier) * 100) / earlier) };
}

/** Today's amount against each earlier day's by this time, in words. */
function Against({ today, yesterday, lastWeek }: { today: Tally; yesterday: Tally; lastWeek: Tally }) {
  const { t } = useTranslation();
  const lines = [
    ["againstYesterday", percentChange(today.amount_minor, yesterday.amount_minor)],
    ["againstLastWeek", percentChange(today.amount_minor, lastWeek.amount_minor)],
  ] as const;
  return (
    <>
      {lines.map(([against, change]) =>
        change ? (
          <div key={against} className="hint" data-testid={against} data-direction={change.direction}>
            {t(`manager.${against}.${change.direction}`, { percent: change.percent })}
          </div>
        ) : null,
      )}
    </>
  );
}

/** One currency and direction: today, yesterday and the same day last week, by this time and
 * whole. Each day's label opens its paid orders in the Orders view. */
function CurrencyCompared({ money, days, open }: { money: MoneyCompared; days: ComparedDays; open?: (date: string) => void }) {
  const { t } = useTranslation();
  const title = t(money.pays_out ? "manager.paidOut" : "manager.takenIn", { currency: money.currency });
  const amount = (tally: Tally) => formatMoney(tally.amount, money.currency);
  const rows = [
    { key: "today", label: t("manager.today"), date: days.today.date, byThisTime: money.today, whole: null },
    { key: "yesterday", label: t("manager.yesterday"), date: days.yesterday.date, byThisTime: money.yesterday.by_this_time, whole: money.yesterday.whole_day },
    { key: "last-week", label: t("manager.lastWeek"), date: days.last_week.date, byThisTime: money.last_week.by_this_time, whole: money.last_week.whole_day },
  ];
  return (
    <>
      <h3>{title}</h3>
      <table className="compare" data-testid={`money-${money.pays_out ? "out" : "in"}-${money.currency}`}>
        <caption className="visually-hidden">{title}</caption>
        <thead>
          <tr>
            <th scope="col">{t("manager.day")}</th>
            <th scope="col" className="num">
              {t("manager.byThisTime")}
            </th>
            <th scope="col" className="num">
              {t("manager.wholeDay")}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const label = t("manager.dayOn", { day: r.label, date: r.date });
            return (
              <tr key={r.key} data-day={r.key}>
                <th scope="row">
                  {open ? (
                    <button type="button" className="link" aria-label={t("dashboard.openOrders", { what: label })} onClick={() => open(r.date)}>
                      {label}
                    </button>
                  ) : (
                    label
                  )}
                </th>
                <td className="num">
                  <span className="money">{amount(r.byThisTime)}</span>
                  <div className="hint">{t("manager.payments", { count: r.byThisTime.count })}</div>
                  {r.key === "today" && <Against today={money.today} yesterday={money.yesterday.by_this_time} lastWeek={money.last_week.by_this_time} />}
                </td>
                <td className="num">{r.whole ? <span className="money">{amount(r.whole)}</span> : "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

function DayMoney({ compared, open }: { compared: DayComparison; open?: (date: string) => void }) {
  const { t } = useTranslation();
  const { days } = compared;
  return (
    <section className="card" aria-labelledby="manager-money-title" data-testid="day-money">
      <h2 id="manager-money-title">{t("manager.title")}</h2>
      <p className="hint">{t("manager.asOf", { date: days.today.date, time: formatMinute(days.now_ms, new Date(days.now_ms)) })}</p>
      {compared.money.length === 0 && <p className="empty">{t("manager.noMoney")}</p>}
      {compared.money.map((m) => (
        <CurrencyCompared key={`${m.pays_out ? "out" : "in"}-${m.currency}`} money={m} days={days} open={open} />
      ))}
      <p className="hint">{t("manager.help")}</p>
    </section>
  );
}

/** This desk's open shift so far: each currency's money in and out, and what is still open. */
function OpenShift({ report, onOpenShift }: { report: ShiftReport | null; onOpenShift?: () => void }) {
  const { t } = useTranslation();
  return (
    <section className="card" aria-labelledby="manager-shift-title" data-testid="manager-shift">
      <h2 id="manager-shift-title">{t("manager.shift.title")}</h2>
      {report === null ? (
        <p className="empty">{t("manager.shift.none")}</p>
      ) : (
        <>
          <p>{t("manager.shift.openSince", { id: report.shift.id, time: formatTime(report.shift.opened_at), who: report.shift.opened_by || "—" })}</p>
          {report.currencies.length === 0 && <p className="empty">{t("manager.shift.noPayments")}</p>}
          {report.currencies.length > 0 && (
            <table className="compare" data-testid="shift-so-far">
              <caption className="visually-hidden">{t("manager.shift.title")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("term.currency")}</th>
                  <th scope="col" className="num">
                    {t("shift.report.takenIn")}
                  </th>
                  <th scope="col" className="num">
                    {t("shift.report.paidOut")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {report.currencies.map((c) => (
                  <tr key={c.currency} data-currency={c.currency}>
                    <th scope="row">{c.currency}</th>
                    <td className="num money">{formatMoney(c.taken_in.amount, c.currency)}</td>
                    <td className="num money">{formatMoney(c.paid_out.amount, c.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {report.open.length > 0 && <p className="hint">{t("manager.shift.stillOpen", { count: report.open.length })}</p>}
          {report.sandbox_left_out > 0 && <p className="hint">{t("shift.report.sandbox", { count: report.sandbox_left_out })}</p>}
        </>
      )}
      {onOpenShift && (
        <button type="button" className="link" data-testid="open-shift-view" onClick={onOpenShift}>
          {t("manager.shift.openView")}
        </button>
      )}
    </section>
  );
}

/** The manager's part of the Dashboard: the day compared, the open shift, the success rates and
 * the top failure reasons. `openDay` opens a day's paid orders in the Orders view. */
export function ManagerDay({ openDay, onOpenShift }: { openDay?: (date: string) => void; onOpenShift?: () => void }) {
  const { t } = useTranslation();
  const day = useQuery(managerDayQuery(dayStart(new Date())));
  if (day.error) {
    return (
      <FailureNote error={day.error} />
    );
  }
  if (!day.data) return <p className="hint">{t("common.loading")}</p>;
  const { compared, open_shift } = day.data;
  return (
    <div className="cards manager" data-testid="manager-day">
      <DayMoney compared={compared} open={openDay} />
      <OpenShift report={open_shift} onOpenShift={onOpenShift} />
      <DayRates compared={compared} />
      <FailureReasons failures={compared.failures} />
    </div>
  );
}
