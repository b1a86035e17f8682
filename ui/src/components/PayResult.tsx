// What became of a payment, kept up to date while it is still in the balance.
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { orderDetailQuery } from "../queries/reads";
import type { OrderView, PaymentReport } from "../types";
import { formatMoney, hintKey, stateKey } from "../words";
import { QrCode } from "./QrCode";
import { StateBadge } from "./StateBadge";

export function PayResult({
  report,
  order,
  statusQuery,
  paysOut = false,
  onClose,
  onNext,
}: {
  report: PaymentReport;
  order: OrderView;
  statusQuery: boolean;
  paysOut?: boolean;
  onClose: () => void;
  /** The next order a scanner (or a person) typed while this result showed. */
  onNext?: (reference: string) => void;
}) {
  const { t } = useTranslation();
  // A queue of customers: the next scan lands here, not on a button that drops its digits.
  const nextRef = useRef<HTMLInputElement>(null);
  const [next, setNext] = useState("");
  useEffect(() => nextRef.current?.focus(), []);

  // The reconciler settles a pending payment in the background: the order's detail is asked for
  // again when it does (useBackendChanges), and this line follows its attempt.
  const detail = useQuery(orderDetailQuery(order.order_no)).data;
  // A detail read while the request was still in flight says "submitting": the report is
  // newer than that, and only a detail that has moved on from it is newer than the report.
  const live = detail?.attempts.find((a) => a.id === report.attempt_id)?.state;
  const state = live && live !== "submitting" && live !== "created" ? live : report.state;
  // What the customer is asked for is what the gateway charges: less a coupon it took off.
  const scanAmount = formatMoney(report.charged_amount, order.currency);
  const coupon = report.deductions.find((d) => d.kind === "coupon");

  return (
    <div className="result" role="status" data-testid="pay-result" data-state={state}>
      <StateBadge state={state} paysOut={paysOut} />
      {/* A refusal says what it means once, in both languages' words, instead of the plain hint. */}
      {state === "failed" && report.error ? (
        <p className="meaning">{t(paysOut ? "pay.failedMeaningOut" : "pay.failedMeaning")}</p>
      ) : (
        <p data-testid="state-hint">
          {t(hintKey(state, { statusQuery, errorCode: report.error?.code, paysOut, hasCode: report.pay_url !== null }))}
        </p>
      )}
      {report.error && (
        <p className="error" data-testid="gateway-words">
          {t("pay.gatewayWords")}: {report.error.code}: {report.error.message}
        </p>
      )}
      {report.pay_url && state === "pending" && (
        <figure className="qr-box">
          <QrCode text={report.pay_url} alt={t("pay.qrAlt")} />
          <figcaption>
            <strong className="num" data-testid="scan-amount">
              {t("pay.scan", { amount: scanAmount })}
            </strong>
            {coupon && (
              <div className="hint" data-testid="scan-coupon">
                {t("charges.coupon")} <span className="mono">{coupon.id}</span>{" "}
                {coupon.amount === null ? t("charges.notYetSaid") : `−${formatMoney(coupon.amount, order.currency)}`}
              </div>
            )}
          </figcaption>
        </figure>
      )}
      {report.pay_url && (
        <p className="live" data-testid="live-state" aria-live="polite">
          {t("pay.liveState", { state: t(stateKey(state, paysOut)) })}
        </p>
      )}
      {report.gateway_ref && (
        <p>
          {t("term.gatewayRef")}: <span className="mono">{report.gateway_ref}</span>
        </p>
      )}
      {report.customer_ref && (
        <p data-testid="pay-customer-ref">
          {t("term.customerRef")}: <span className="mono">{report.customer_ref}</span>
        </p>
      )}
      <form
        className="next-order"
        onSubmit={(e) => {
          e.preventDefault();
          const reference = next.trim();
          if (reference && onNext) onNext(reference);
          else onClose();
        }}
      >
        <label className="field">
          {t("pay.nextOrder")}
          <input ref={nextRef} type="search" value={next} autoComplete="off" aria-describedby="next-order-help" data-testid="next-order" onChange={(e) => setNext(e.target.value)} />
        </label>
        <p className="hint" id="next-order-help">
          {t("pay.nextOrderHelp")}
        </p>
        <footer>
          <button type="button" className="primary" data-testid="close-pay" onClick={onClose}>
            {t("common.close")}
          </button>
        </footer>
      </form>
    </div>
  );
}
