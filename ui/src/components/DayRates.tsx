import { useTranslation } from "react-i18next";
import { channelName, gatewayName } from "../names";
import type { DayComparison, Outcomes, RateCompared } from "../types";

/** Of the payments that settled, the share paid, in whole percent rounded down (display only):
 * 100% only when none failed. Null when none settled. */
export function successPercent({ succeeded, failed }: Outcomes): number | null {
  const settled = succeeded + failed;
  return settled > 0 ? Math.floor((succeeded * 100) / settled) : null;
}

/** One day's outcomes: the rate, what it is of, and what is still open. */
function Rate({ outcomes }: { outcomes: Outcomes }) {
  const { t } = useTranslation();
  const percent = successPercent(outcomes);
  const settled = outcomes.succeeded + outcomes.failed;
  return (
    <>
      <strong data-testid="rate">{percent === null ? t("manager.rates.none") : t("manager.rates.rate", { percent })}</strong>
      <div className="hint">{percent === null ? t("manager.rates.noneSettled") : t("manager.rates.of", { paid: outcomes.succeeded, settled })}</div>
      {outcomes.open > 0 && <div className="hint">{t("manager.rates.open", { count: outcomes.open })}</div>}
    </>
  );
}

function RateTable({ title, column, rows, name, testId }: { title: string; column: string; rows: RateCompared[]; name: (id: string) => string; testId: string }) {
  const { t } = useTranslation();
  return (
    <>
      <h3>{title}</h3>
      <table className="compare" data-testid={testId}>
        <caption className="visually-hidden">{title}</caption>
        <thead>
          <tr>
            <th scope="col">{column}</th>
            <th scope="col" className="num">
              {t("manager.today")}
            </th>
            <th scope="col" className="num">
              {t("manager.yesterday")}
            </th>
            <th scope="col" className="num">
              {t("manager.lastWeek")}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name} data-name={r.name}>
              <th scope="row">{name(r.name)}</th>
              {[r.today, r.yesterday, r.last_week].map((outcomes, i) => (
                <td key={i} className="num">
                  <Rate outcomes={outcomes} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** How often each gateway and each channel succeeded: today so far, yesterday and the same day
 * last week whole. */
export function DayRates({ compared }: { compared: DayComparison }) {
  const { t } = useTranslation();
  return (
    <section className="card" aria-labelledby="manager-rates-title" data-testid="day-rates">
      <h2 id="manager-rates-title">{t("manager.rates.title")}</h2>
      {compared.gateways.length === 0 ? (
        <p className="empty">{t("manager.rates.empty")}</p>
      ) : (
        <>
          <RateTable title={t("manager.rates.byGateway")} column={t("term.gateway")} rows={compared.gateways} name={(id) => gatewayName(id, t)} testId="rates-by-gateway" />
          <RateTable title={t("manager.rates.byChannel")} column={t("term.channel")} rows={compared.channels} name={(id) => channelName(id, t)} testId="rates-by-channel" />
        </>
      )}
      <p className="hint">{t("manager.rates.help")}</p>
    </section>
  );
}
