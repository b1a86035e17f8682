import { useQueries, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ManagerDay } from "../components/ManagerDay";
import { dailyTotalsQuery, takingsQuery, useMerchantZone } from "../queries/reads";
import type { AttemptState, Channel, DailyTotal, TakingsRow } from "../types";
import { dayStart, formatMoney, localDate, STATES, weekStart } from "../words";
import { FailureNote } from "../components/FailureNote";

/** The orders a bar counts, as the Orders view's filters: days on this computer's calendar. */
export interface OrdersOfBar {
  state: AttemptState | null;
  channel: Channel | null;
  from: string;
  to: string;
}

/** How many days the daily totals reach back. */
const DAYS = 14;

/** A bar's label, which opens the orders it counts where the view can show them. */
function BarLabel({ label, open }: { label: string; open?: () => void }) {
  const { t } = useTranslation();
  if (!open) return <>{label}</>;
  return (
    <button type="button" className="link" aria-label={t("dashboard.openOrders", { what: label })} onClick={open}>
      {label}
    </button>
  );
}

/** A horizontal bar whose length is its share of the largest one: drawn, never summed. */
function Bar({ share, className }: { share: number; className: string }) {
  const width = Math.max(0, Math.min(100, share * 100));
  return (
    <svg className="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
      <rect x="0" y="0" width="100" height="10" className="bar-track" />
      <rect x="0" y="0" width={width} height="10" className={className} />
    </svg>
  );
}

/** Money of one direction by channel: taken in, or paid out (never added together). Each bar
 * is measured against the largest of its own currency: ₹ and ¥ never share a scale. */
function PaidByChannel({
  title,
  rows,
  testId,
  open,
}: {
  title: string;
  rows: TakingsRow[];
  testId: string;
  open?: (channel: Channel) => void;
}) {
  const { t } = useTranslation();
  const largest = new Map<string, number>();
  for (const r of rows) largest.set(r.currency, Math.max(largest.get(r.currency) ?? 1, r.amount_minor));
  return (
    <>
      <h3>{title}</h3>
      <table className="chart" data-testid={testId}>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.channel}-${r.currency}`}>
              <th scope="row">
                <BarLabel label={t(`channel.${r.channel}`)} open={open && (() => open(r.channel as Channel))} />
              </th>
              <td className="bar-cell">
                <Bar share={r.amount_minor / (largest.get(r.currency) ?? 1)} className="bar-paid" />
              </td>
              <td className="num">{formatMoney(r.amount, r.currency)}</td>
              <td className="num hint">{t("dashboard.attempts", { count: r.count })}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Period({ title, rows, open }: { title: string; rows: TakingsRow[]; open?: (state: AttemptState, channel: Channel | null) => void }) {
  const { t } = useTranslation();
  const paid = rows.filter((r) => r.state === "succeeded");
  const byState = STATES.map((s) => ({ state: s, count: rows.filter((r) => r.state === s).reduce((n, r) => n + r.count, 0) })).filter(
    (s) => s.count > 0,
  );
  const maxCount = Math.max(1, ...byState.map((s) => s.count));
  const succeeded = byState.find((s) => s.state === "succeeded")?.count ?? 0;
  const settled = succeeded + (byState.find((s) => s.state === "failed")?.count ?? 0);
  const rate = settled > 0 ? Math.round((succeeded / settled) * 100) : null;

  return (
    <section className="card" aria-label={title} data-testid={`period-${title}`}>
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p className="empty">{t("dashboard.noData")}</p>
      ) : (
        <>
          <div className="rate">
            <svg viewBox="0 0 36 36" className="donut" role="img" aria-label={`${t("dashboard.successRate")}: ${rate ?? "—"}%`}>
              <circle cx="18" cy="18" r="15.9" className="donut-track" />
              <circle cx="18" cy="18" r="15.9" className="donut-fill" pathLength={100} strokeDasharray={`${rate ?? 0} 100`} />
            </svg>
            <div>
              <strong className="big">{rate === null ? "—" : `${rate}%`}</strong>
              <div>{t("dashboard.successRate")}</div>
              <div className="hint">{t("dashboard.successRateOf", { paid: succeeded, settled })}</div>
            </div>
          </div>
          <PaidByChannel
            title={t("dashboard.byChannel")}
            rows={paid.filter((r) => !r.pays_out)}
            testId="paid-in"
            open={open && ((channel) => open("succeeded", channel))}
          />
          {paid.some((r) => r.pays_out) && (
            <PaidByChannel
              title={t("dashboard.paidOutByChannel")}
              rows={paid.filter((r) => r.pays_out)}
              testId="paid-out"
              open={open && ((channel) => open("succeeded", channel))}
            />
          )}
          <h3>{t("dashboard.byState")}</h3>
          <table className="chart">
            <tbody>
              {byState.map((s) => (
                <tr key={s.state}>
                  <th scope="row">
                    <BarLabel label={t(`state.${s.state}`)} open={open && (() => open(s.state, null))} />
                  </th>
                  <td className="bar-cell">
                    <Bar share={s.count / maxCount} className={`bar-state state-${s.state}`} />
                  </td>
                  <td className="num">{s.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/** Each day's totals in one currency and direction, each bar on its currency's own scale. */
function Daily({ title, rows, testId, open }: { title: string; rows: DailyTotal[]; testId: string; open?: (day: string) => void }) {
  const largest = Math.max(1, ...rows.map((r) => r.amount_minor));
  return (
    <>
      <h3>{title}</h3>
      <table className="chart" data-testid={testId} data-currency={rows[0]?.currency}>
        <tbody>
          {rows.map((r) => (
            <tr key={r.day} data-day={r.day}>
              <th scope="row">
                <BarLabel label={r.day} open={open && (() => open(r.day))} />
              </th>
              <td className="bar-cell">
                <Bar share={r.amount_minor / largest} className="bar-paid" />
              </td>
              <td className="num">{formatMoney(r.amount, r.currency)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function DailyTotals({ rows, open }: { rows: DailyTotal[]; open?: (day: string) => void }) {
  const { t } = useTranslation();
  // One table per direction and currency: money in and out, ₹ and ¥, never on one scale.
  const groups = new Map<string, DailyTotal[]>();
  for (const r of rows) {
    const key = `${r.pays_out ? "out" : "in"}-${r.currency}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return (
    <section className="card" aria-label={t("dashboard.daily", { days: DAYS })} data-testid="daily-totals">
      {rows.length === 0 && <p className="empty">{t("dashboard.noData")}</p>}
      {[...groups.entries()].map(([key, group]) => (
        <Daily
          key={key}
          title={`${t(group[0]!.pays_out ? "dashboard.dailyOut" : "dashboard.daily", { days: DAYS })} · ${group[0]!.currency}`}
          rows={group}
          testId={`daily-${key}`}
          open={open}
        />
      ))}
    </section>
  );
}

export function DashboardView({ onOpenOrders, onOpenShift }: { onOpenOrders?: (orders: OrdersOfBar) => void; onOpenShift?: () => void }) {
  const { t } = useTranslation();
  const now = new Date();
  // Today and this week as the merchant's day report counts them: in its time zone.
  const zone = useMerchantZone();
  const [today, week] = useQueries({ queries: [takingsQuery(dayStart(now, zone)), takingsQuery(weekStart(now, zone))] });
  const daily = useQuery(dailyTotalsQuery(DAYS, dayStart(now, zone)));
  const error = today.error ?? week.error ?? daily.error;
  const todayDate = localDate(now.getTime(), zone);
  const openFrom = (from: string) =>
    onOpenOrders && ((state: AttemptState, channel: Channel | null) => onOpenOrders({ state, channel, from, to: todayDate }));
  return (
    <section className="view dashboard" aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">{t("dashboard.title")}</h1>
      {error && <FailureNote error={error} />}
      <ManagerDay openDay={onOpenOrders && ((day) => onOpenOrders({ state: "succeeded", channel: null, from: day, to: day }))} onOpenShift={onOpenShift} />
      <div className="cards">
        {today.data && <Period title={t("dashboard.today")} rows={today.data} open={openFrom(todayDate)} />}
        {week.data && <Period title={t("dashboard.week")} rows={week.data} open={openFrom(localDate(weekStart(now, zone), zone))} />}
        {daily.data && (
          <DailyTotals rows={daily.data} open={onOpenOrders && ((day) => onOpenOrders({ state: "succeeded", channel: null, from: day, to: day }))} />
        )}
      </div>
    </section>
  );
}
