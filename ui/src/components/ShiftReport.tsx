import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { gatewayName, channelName } from "../names";
import type { CurrencyTotals, NamedAttempt, ShiftReport as Report } from "../types";
import { formatMoney, formatTime } from "../words";
import { download } from "./download";
import { PaperActions, reportPage } from "./PaperActions";
import { shiftFile } from "./shiftCsv";
import { SandboxBadge, StateBadge } from "./StateBadge";

/** Who opened or closed a shift; a dash where no name was recorded. */
function who(operator: string | null): string {
  return operator?.trim() || "—";
}

/** One currency's money: taken in, paid out and deducted apart (never added together), then
 * every line. A payout's state is worded as a payout; a line whose payments split between
 * balance and credit (TOP) says how much was each. */
export function Currency({ totals }: { totals: CurrencyTotals }) {
  const { t } = useTranslation();
  const money = (amount: string) => formatMoney(amount, totals.currency);
  return (
    <section className="shift-currency" data-currency={totals.currency} aria-label={t("shift.report.totals", { currency: totals.currency })}>
      <h4>{t("shift.report.totals", { currency: totals.currency })}</h4>
      <dl className="shift-totals">
        <div data-testid="taken-in">
          <dt>{t("shift.report.takenIn")}</dt>
          <dd className="money">{money(totals.taken_in.amount)}</dd>
        </div>
        <div data-testid="paid-out">
          <dt>{t("shift.report.paidOut")}</dt>
          <dd className="money">{money(totals.paid_out.amount)}</dd>
        </div>
        <div data-testid="deducted">
          <dt>{t("shift.report.deducted")}</dt>
          <dd className="money">{money(totals.deducted.amount)}</dd>
        </div>
      </dl>
      <table className="shift-lines" data-testid="shift-lines">
        <caption className="visually-hidden">{t("shift.report.lines", { currency: totals.currency })}</caption>
        <thead>
          <tr>
            <th scope="col">{t("shift.report.direction")}</th>
            <th scope="col">{t("term.gateway")}</th>
            <th scope="col">{t("term.channel")}</th>
            <th scope="col">{t("term.state")}</th>
            <th scope="col" className="num">
              {t("shift.report.count")}
            </th>
            <th scope="col" className="num">
              {t("shift.report.amount")}
            </th>
          </tr>
        </thead>
        <tbody>
          {totals.lines.map((l) => (
            <tr key={`${l.direction}-${l.gateway}-${l.channel}-${l.state}`} data-direction={l.direction}>
              <td>{t(`shift.report.${l.direction}`)}</td>
              <td>{gatewayName(l.gateway, t)}</td>
              <td>{channelName(l.channel, t)}</td>
              <td>
                <StateBadge state={l.state} paysOut={l.direction === "out"} />
              </td>
              <td className="num">{l.count}</td>
              <td className="num">
                {money(l.charged.amount)}
                {l.split && (
                  <span className="line-split" data-testid="line-split">
                    <span>
                      {channelName("balance", t)} {money(l.split.balance.amount)}
                    </span>
                    {" · "}
                    <span>
                      {channelName("credit", t)} {money(l.split.credit.amount)}
                    </span>
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A payment the report names: order number, state in words, amount; acknowledged marked, and
 * a sandbox profile's marked SANDBOX (named, never counted as money). */
export function Named({ attempts, testId, title, help }: { attempts: NamedAttempt[]; testId: string; title: string; help: string }) {
  const { t } = useTranslation();
  if (attempts.length === 0) return null;
  return (
    <section className="shift-named" data-testid={testId} aria-label={title}>
      <h4>{title}</h4>
      <p className="hint">{help}</p>
      <ul>
        {attempts.map((a) => (
          <li key={a.attempt_id} data-attempt-id={a.attempt_id}>
            <span className="mono">{a.order_no}</span> <StateBadge state={a.state} />{" "}
            <span className="num">{formatMoney(a.charged.amount, a.currency)}</span>
            {a.sandbox && (
              <>
                {" "}
                <SandboxBadge />
              </>
            )}
            {a.acknowledged && <span className="acknowledged"> · ✓ {t("shift.report.acknowledged")}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A shift's report as it reads on screen (on paper it is the back end's page). `showOpen`: name the payments still
 * open (the close dialog lists them itself, each to acknowledge). */
export function ReportBody({ report, showOpen = true, testId = "shift-report" }: { report: Report; showOpen?: boolean; testId?: string }) {
  const { t } = useTranslation();
  const { shift } = report;
  return (
    <article className="shift-report" data-testid={testId} data-shift-id={shift.id} aria-labelledby={`${testId}-${shift.id}`}>
      <h3 id={`${testId}-${shift.id}`}>{t("shift.report.title", { id: shift.id, desk: shift.desk })}</h3>
      <p className="shift-when">
        {t("shift.report.opened", { time: formatTime(shift.opened_at), who: who(shift.opened_by) })}
        {" · "}
        {shift.closed_at === null ? (
          <strong>{t("shift.report.stillOpen")}</strong>
        ) : (
          t("shift.report.closed", { time: formatTime(shift.closed_at), who: who(shift.closed_by) })
        )}
      </p>
      {report.currencies.length === 0 && <p className="empty">{t("shift.report.noPayments")}</p>}
      {report.currencies.map((c) => (
        <Currency key={c.currency} totals={c} />
      ))}
      {showOpen && <Named attempts={report.open} testId="shift-open" title={t("shift.report.open")} help={t("shift.report.openHelp")} />}
      <Named
        attempts={report.settled_after_close}
        testId="shift-settled-after"
        title={t("shift.report.settledAfter")}
        help={t("shift.report.settledAfterHelp")}
      />
      {report.sandbox_left_out > 0 && (
        <p className="hint sandbox-left-out" data-testid="sandbox-left-out">
          {t("shift.report.sandbox", { count: report.sandbox_left_out })}
        </p>
      )}
    </article>
  );
}

/** The report with what can be done with it: print or save as PDF the back end's page of it,
 * save its lines as CSV. */
export function ShiftReport({ report, showOpen = true }: { report: Report; showOpen?: boolean }) {
  const { t, i18n } = useTranslation();
  const [saved, setSaved] = useState<{ file: string; count: number } | null>(null);
  const shiftId = report.shift.id;
  // The printed page is the back end's, asked for at the click: the figures as they are then.
  const page = useCallback(() => reportPage({ kind: "shift", shift_id: shiftId }, i18n.language), [shiftId, i18n.language]);
  return (
    <div className="shift-report-box">
      <div className="report-actions">
        <PaperActions paper={page} name="shift-report" />
        <button
          type="button"
          className="small"
          data-testid="shift-report-csv"
          onClick={() => {
            const file = shiftFile(report);
            download(file);
            setSaved({ file: file.file_name, count: file.rows });
          }}
        >
          {t("shift.report.csv")}
        </button>
        {saved && (
          <span className="ok" role="status" data-testid="shift-report-saved">
            {t("shift.report.saved", { file: saved.file, count: saved.count })}
          </span>
        )}
      </div>
      <ReportBody report={report} showOpen={showOpen} />
    </div>
  );
}
