import { useEffect, useRef, useState } from "react";
import { listen } from "@tauri-apps/api/event";
import { useTranslation } from "react-i18next";
import { api, errorKind, errorMessage } from "../api";
import type { AttemptState, Channel, Deduction, OrderView, PayInput, PaymentReport, ProfileView, Quote } from "../types";
import { formatMoney, hintKey } from "../words";
import { Modal } from "./Modal";
import { QrCode } from "./QrCode";
import { SandboxBadge, StateBadge } from "./StateBadge";

interface Props {
  order: OrderView;
  profile: ProfileView | undefined;
  onClose: () => void;
  /** Where the focus goes on closing when the opener cannot take it (Pay… once paid). */
  fallbackFocus?: () => HTMLElement | null;
  onPaid: (report: PaymentReport) => void;
}

type Phase =
  | { kind: "choose" }
  | { kind: "sending" }
  | { kind: "done"; report: PaymentReport }
  | { kind: "error"; message: string };

const CHANNEL_ICON: Partial<Record<Channel, string>> = {
  balance: "◎",
  alipay: "支",
  wechat: "微",
  credit: "✎",
  unionpay: "银",
  bank: "⇄",
};

export function PayDialog({ order, profile, onClose, onPaid, fallbackFocus }: Props) {
  const { t } = useTranslation();
  const caps = profile?.capabilities;
  const channels = caps?.channels ?? [];
  const [channel, setChannel] = useState<Channel | null>(channels[0] ?? null);
  const [vouchers, setVouchers] = useState<Deduction[]>([]);
  const [coupon, setCoupon] = useState("");
  const [split, setSplit] = useState(false);
  const [credit, setCredit] = useState("");
  const [quote, setQuote] = useState<Quote | null>(null);
  const [quoteError, setQuoteError] = useState<string | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: "choose" });
  // A ref, not state: a second click in the same frame must see the first one.
  const submitted = useRef(false);
  const confirmRef = useRef<HTMLButtonElement>(null);

  const input: PayInput | null = channel
    ? {
        orderNo: order.order_no,
        channel,
        deductions: vouchers.filter((v) => v.id.trim() || v.amount.trim()),
        coupon: caps?.coupon && coupon.trim() ? coupon.trim() : null,
        creditAmount: caps?.credit_split && split && credit.trim() ? credit.trim() : null,
      }
    : null;
  const inputKey = JSON.stringify(input);

  // The backend prices every change exactly; the window only shows its answer.
  useEffect(() => {
    if (!input) return;
    let live = true;
    const timer = setTimeout(() => {
      api
        .quote(input)
        .then((q) => {
          if (!live) return;
          setQuote(q);
          setQuoteError(null);
        })
        .catch((e) => {
          if (!live) return;
          setQuote(null);
          setQuoteError(errorMessage(e));
        });
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- inputKey is the input's identity
  }, [inputKey]);

  const quoteFresh = quote !== null && quoteError === null;
  // Confirm takes the focus once it can be pressed, so Enter pays; typing elsewhere keeps it.
  const focusedOnce = useRef(false);
  useEffect(() => {
    if (!quoteFresh || focusedOnce.current) return;
    focusedOnce.current = true;
    const active = document.activeElement;
    const untouched = !active || active === document.body || active.getAttribute("role") === "dialog";
    if (untouched || !active.closest("[data-testid=pay-dialog]")) confirmRef.current?.focus();
  }, [quoteFresh]);

  async function confirm() {
    if (!input || submitted.current) return;
    submitted.current = true;
    setPhase({ kind: "sending" });
    try {
      const report = await api.pay(input);
      setPhase({ kind: "done", report });
      onPaid(report);
    } catch (e) {
      setPhase({
        kind: "error",
        message: errorKind(e) === "in_progress" ? `${t("pay.inProgress")} (${errorMessage(e)})` : errorMessage(e),
      });
    }
  }

  const charge = quote ? formatMoney(quote.remaining, quote.currency) : "…";

  return (
    <Modal
      labelledBy="pay-title"
      describedBy="pay-subject"
      testId="pay-dialog"
      canClose={phase.kind !== "sending"}
      onClose={onClose}
      fallbackFocus={fallbackFocus}
    >
      <header>
        <h2 id="pay-title">
          {t("pay.title")} <span className="mono">{order.order_no}</span>
        </h2>
        {order.is_sandbox && <SandboxBadge />}
        <span className="spacer" />
        <strong className="num">{formatMoney(order.amount, order.currency)}</strong>
      </header>
      <p className="subject" id="pay-subject">
        {order.subject}
      </p>
      {phase.kind === "choose" && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (quoteFresh) void confirm();
          }}
        >
          <fieldset className="channels">
            <legend>{t("pay.chooseChannel")}</legend>
            {channels.length === 0 && <p className="error">{t("pay.noChannel")}</p>}
            {channels.map((c) => (
              <button
                key={c}
                type="button"
                className={c === channel ? "channel chosen" : "channel"}
                aria-pressed={c === channel}
                data-channel={c}
                onClick={() => setChannel(c)}
              >
                <span className="channel-icon" aria-hidden="true">
                  {CHANNEL_ICON[c] ?? "•"}
                </span>
                {t(`channel.${c}`)}
              </button>
            ))}
          </fieldset>
          {caps?.vouchers && (
            <fieldset className="vouchers" data-testid="vouchers">
              <legend>{t("pay.vouchers")}</legend>
              {vouchers.map((v, i) => (
                <div className="voucher-row" key={i}>
                  <input
                    aria-label={`${t("pay.voucherId")} ${i + 1}`}
                    placeholder={t("pay.voucherId")}
                    value={v.id}
                    data-testid={`voucher-id-${i}`}
                    onChange={(e) => setVouchers(vouchers.map((x, j) => (j === i ? { ...x, id: e.target.value } : x)))}
                  />
                  <input
                    aria-label={`${t("pay.voucherAmount")} ${i + 1}`}
                    placeholder="0.00"
                    inputMode="decimal"
                    className="num"
                    value={v.amount}
                    data-testid={`voucher-amount-${i}`}
                    onChange={(e) =>
                      setVouchers(vouchers.map((x, j) => (j === i ? { ...x, amount: e.target.value } : x)))
                    }
                  />
                  <button
                    type="button"
                    className="small"
                    aria-label={t("pay.removeVoucher", { n: i + 1 })}
                    onClick={() => setVouchers(vouchers.filter((_, j) => j !== i))}
                  >
                    ✕
                  </button>
                </div>
              ))}
              <button
                type="button"
                className="small"
                data-testid="add-voucher"
                onClick={() => setVouchers([...vouchers, { id: "", amount: "" }])}
              >
                + {t("pay.addVoucher")}
              </button>
            </fieldset>
          )}
          {caps?.coupon && (
            <label className="field">
              {t("pay.coupon")}
              <input value={coupon} placeholder={t("pay.couponId")} data-testid="coupon" onChange={(e) => setCoupon(e.target.value)} />
            </label>
          )}
          {caps?.credit_split && (
            <div className="split">
              <label>
                <input type="checkbox" checked={split} data-testid="split" onChange={(e) => setSplit(e.target.checked)} />{" "}
                {t("pay.split")}
              </label>
              {split && (
                <label className="field">
                  {t("pay.creditAmount")}
                  <input
                    value={credit}
                    inputMode="decimal"
                    className="num"
                    placeholder="0.00"
                    data-testid="credit-amount"
                    onChange={(e) => setCredit(e.target.value)}
                  />
                </label>
              )}
            </div>
          )}
          <dl className="quote" aria-live="polite">
            {quote && quote.deducted_minor > 0 && (
              <>
                <dt>{t("pay.orderAmount")}</dt>
                <dd className="num">{formatMoney(quote.amount, quote.currency)}</dd>
                <dt>{t("pay.deducted")}</dt>
                <dd className="num" data-testid="deducted">
                  −{formatMoney(quote.deducted, quote.currency)}
                </dd>
              </>
            )}
            {quote?.credit && quote.balance && (
              <>
                <dt>{t("pay.creditAmount")}</dt>
                <dd className="num" data-testid="credit-part">
                  {formatMoney(quote.credit, quote.currency)}
                </dd>
                <dt>{t("pay.onBalance")}</dt>
                <dd className="num" data-testid="balance-part">
                  {formatMoney(quote.balance, quote.currency)}
                </dd>
              </>
            )}
          </dl>
          {quoteError && (
            <p className="error" role="alert" data-testid="quote-error">
              {quoteError}
            </p>
          )}
          <div className="total">
            <span>{t("pay.toCharge")}</span>
            <strong className="num" data-testid="charge-amount">
              {charge}
            </strong>
          </div>
          <footer>
            <button type="button" onClick={onClose}>
              {t("common.cancel")}
            </button>
            <button
              type="submit"
              className="primary"
              ref={confirmRef}
              data-testid="confirm-pay"
              disabled={!channel || !quoteFresh}
            >
              {t("pay.confirm", { amount: charge })}
            </button>
          </footer>
        </form>
      )}
      {phase.kind === "sending" && (
        <p className="progress" role="status" data-testid="pay-progress">
          <span className="spinner" aria-hidden="true" /> {t("pay.sending")}
        </p>
      )}
      {phase.kind === "done" && (
        <PayResult
          report={phase.report}
          order={order}
          charge={charge}
          statusQuery={caps?.status_query ?? true}
          onClose={onClose}
        />
      )}
      {phase.kind === "error" && (
        <div className="result" role="alert" data-testid="pay-error">
          <p className="error">{phase.message}</p>
          <footer>
            <button type="button" onClick={onClose} data-testid="close-pay">
              {t("common.close")}
            </button>
          </footer>
        </div>
      )}
    </Modal>
  );
}

function PayResult({
  report,
  order,
  charge,
  statusQuery,
  onClose,
}: {
  report: PaymentReport;
  order: OrderView;
  charge: string;
  statusQuery: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [state, setState] = useState<AttemptState>(report.state);
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), []);

  // The reconciler settles a pending payment in the background; its event updates this line.
  useEffect(() => {
    if (state !== "pending" && state !== "unknown" && state !== "submitting") return;
    let live = true;
    const unlisten = listen<number[]>("attempts-changed", (event) => {
      if (!event.payload.includes(report.attempt_id)) return;
      api
        .orderDetail(order.order_no)
        .then((d) => {
          const a = d.attempts.find((x) => x.id === report.attempt_id);
          if (live && a) setState(a.state);
        })
        .catch(() => {});
    });
    return () => {
      live = false;
      void unlisten.then((stop) => stop());
    };
  }, [state, report.attempt_id, order.order_no]);

  return (
    <div className="result" role="status" data-testid="pay-result" data-state={state}>
      <StateBadge state={state} />
      {/* A refusal says what it means once, in both languages' words, instead of the plain hint. */}
      {state === "failed" && report.error ? (
        <p className="meaning">{t("pay.failedMeaning")}</p>
      ) : (
        <p data-testid="state-hint">{t(hintKey(state, statusQuery, report.error?.code))}</p>
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
            <strong className="num">{t("pay.scan", { amount: charge })}</strong>
          </figcaption>
        </figure>
      )}
      {report.pay_url && (
        <p className="live" data-testid="live-state" aria-live="polite">
          {t("pay.liveState", { state: t(`state.${state}`) })}
        </p>
      )}
      {report.gateway_ref && (
        <p>
          {t("term.gatewayRef")}: <span className="mono">{report.gateway_ref}</span>
        </p>
      )}
      <footer>
        <button type="button" className="primary" data-testid="close-pay" ref={closeRef} onClick={onClose}>
          {t("common.close")}
        </button>
      </footer>
    </div>
  );
}
