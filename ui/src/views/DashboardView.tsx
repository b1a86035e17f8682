import { useQueries } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { errorMessage } from "../api";
import { takingsQuery } from "../queries/reads";
import type { TakingsRow } from "../types";
import { dayStart, formatMoney, STATES, weekStart } from "../words";

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
function PaidByChannel({ title, rows, testId }: { title: string; rows: TakingsRow[]; testId: string }) {
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
              <th scope="row">{t(`channel.${r.channel}`)}</th>
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

function Period({ title, rows }: { title: string; rows: TakingsRow[] }) {
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
          <PaidByChannel title={t("dashboard.byChannel")} rows={paid.filter((r) => !r.pays_out)} testId="paid-in" />
          {paid.some((r) => r.pays_out) && (
            <PaidByChannel title={t("dashboard.paidOutByChannel")} rows={paid.filter((r) => r.pays_out)} testId="paid-out" />
          )}
          <h3>{t("dashboard.byState")}</h3>
          <table className="chart">
            <tbody>
              {byState.map((s) => (
                <tr key={s.state}>
                  <th scope="row">{t(`state.${s.state}`)}</th>
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

export function DashboardView() {
  const { t } = useTranslation();
  const now = new Date();
  const [today, week] = useQueries({ queries: [takingsQuery(dayStart(now)), takingsQuery(weekStart(now))] });
  const error = today.error ?? week.error;
  return (
    <section className="view dashboard" aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">{t("dashboard.title")}</h1>
      {error && (
        <p className="error" role="alert">
          {errorMessage(error)}
        </p>
      )}
      <div className="cards">
        {today.data && <Period title={t("dashboard.today")} rows={today.data} />}
        {week.data && <Period title={t("dashboard.week")} rows={week.data} />}
      </div>
    </section>
  );
}
