import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { FailureNote } from "./FailureNote";
import { errorMessage } from "../api";
import { useDebounced } from "../hooks/useDebounced";
import { usePay } from "../queries/mutations";
import { quoteQuery, statusChecksQuery, useReadOnly } from "../queries/reads";
import { findShortcut, PAY_KEYS } from "../shortcuts";
import type { Channel, Deduction, OrderView, PayInput, PaymentReport, ProfileView, RefundInput } from "../types";
import { gatewayName } from "../names";
import { formatMoney, sharedSchemaIsNewer } from "../words";
import { Modal } from "./Modal";
import { PayResult } from "./PayResult";
import { SubscriptionRefunds } from "./SubscriptionRefunds";
import { SandboxBadge } from "./StateBadge";

interface Props {
  order: OrderView;
  profile: ProfileView | undefined;
  onClose: () => void;
  /** Where the focus goes on closing when the opener cannot take it (Pay… once paid). */
  fallbackFocus?: () => HTMLElement | null;
  onPaid: (report: PaymentReport) => void;
  /** The next order typed (scanned) once the result shows: this dialog closes for it. */
  onNext?: (reference: string) => void;
}

/** The pause after the last change before the back end is asked for a price. */
const QUOTE_PAUSE_MS = 120;

const CHANNEL_ICON: Partial<Record<Channel, string>> = {
  balance: "◎",
  alipay: "支",
  wechat: "微",
  credit: "✎",
  unionpay: "银",
  bank: "⇄",
};

/** Where Enter does its own thing: presses another button, follows a link, opens a list, or
 * starts a new line. Everywhere else in the dialog it confirms. */
function enterIsItsOwn(target: HTMLElement): boolean {
  if (target.isContentEditable) return true;
  if (target.matches("textarea, select, a[href], summary")) return true;
  if (target.matches("button")) return target.getAttribute("role") !== "radio";
  return target.matches("input[type=button], input[type=submit], input[type=reset], input[type=file], input[type=image], input[type=color]");
}

export function PayDialog({ order, profile, onClose, onPaid, onNext, fallbackFocus }: Props) {
  const { t } = useTranslation();
  const caps = profile?.capabilities;
  // The debit gateway pays money out: every word of the dialog says payout, not charge.
  const paysOut = caps?.pays_out ?? false;
  const channels = caps?.channels ?? [];
  const [channel, setChannel] = useState<Channel | null>(channels[0] ?? null);
  const [vouchers, setVouchers] = useState<Deduction[]>([]);
  const [coupon, setCoupon] = useState("");
  const [split, setSplit] = useState(false);
  const [credit, setCredit] = useState("");
  const [refunds, setRefunds] = useState<RefundInput[]>([]);
  const pay = usePay();
  // A ref, not state: a second click in the same frame must see the first one.
  const submitted = useRef(false);
  const confirmRef = useRef<HTMLButtonElement>(null);

  const input: PayInput | null = useMemo(
    () =>
      channel
        ? {
            orderNo: order.order_no,
            channel,
            deductions: vouchers.filter((v) => v.id.trim() || v.amount.trim()),
            coupon: caps?.coupon && coupon.trim() ? coupon.trim() : null,
            creditAmount: caps?.credit_split && split && credit.trim() ? credit.trim() : null,
            subscriptionRefunds: caps?.subscription_refunds ? refunds.filter((r) => r.subscribe_id.trim() || r.amount.trim()) : [],
            revision: order.revision,
          }
        : null,
    [order.order_no, order.revision, channel, vouchers, caps, coupon, split, credit, refunds],
  );

  // The backend prices every change exactly; the window only shows its answer, the last one
  // until the next is in.
  const priced = useDebounced(input, QUOTE_PAUSE_MS);
  const quoted = useQuery({ ...quoteQuery(priced), placeholderData: keepPreviousData });
  // What the status bar last learnt of the store (not asked again here): a support agent's
  // desk, on a read-only role, does not pay. The back end refuses it all the same.
  const checks = useQuery({ ...statusChecksQuery(), enabled: false });
  const readOnly = useReadOnly();
  // Cut off from the shared store, the desk pays nothing: exactly once across desks needs it.
  const offline = checks.data ? !checks.data.store.reachable : false;
  // Out though the server answers: its schema and this paydesk's differ, and who acts differs.
  const unfit = checks.data?.store.reachable === false ? checks.data.store.schema_mismatch : null;
  const quote = quoted.data ?? null;
  const quoteError = quoted.error ? errorMessage(quoted.error) : null;
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

  const canConfirm = channel !== null && quoteFresh && !readOnly && !offline;

  function confirm() {
    if (!input || !canConfirm || submitted.current) return;
    submitted.current = true;
    pay.mutate(input, { onSuccess: onPaid });
  }

  /** PAY_KEYS: 1…9 and the arrows choose a channel, Enter confirms (Esc is the Modal's). */
  function onKey(e: KeyboardEvent<HTMLDivElement>) {
    if (!pay.isIdle) return;
    const hit = findShortcut(PAY_KEYS, e);
    if (!hit || hit.id === "cancel") return;
    const target = e.target as HTMLElement;
    const onChannel = target.getAttribute("role") === "radio";
    if (hit.id === "confirm") {
      // A held Enter repeats: the press that opened the dialog must not pay by repeating.
      if (e.repeat || enterIsItsOwn(target)) return;
      e.preventDefault();
      confirm();
      return;
    }
    let next: Channel | undefined;
    if (hit.id === "channel") next = channels[Number(e.key) - 1];
    // From the channels or from anywhere else that is not a text field (Confirm, which has the
    // focus once the price is in): the choice moves, the focus only when it was on a channel.
    else if (channel) {
      const step = hit.id === "next" ? 1 : -1;
      next = channels[(channels.indexOf(channel) + step + channels.length) % channels.length];
    }
    if (!next) return;
    e.preventDefault();
    setChannel(next);
    // A radio group is one stop: the focus moves with the choice when it was on it.
    if (onChannel) e.currentTarget.querySelector<HTMLElement>(`[data-channel="${next}"]`)?.focus();
  }

  const charge = quote ? formatMoney(quote.remaining, quote.currency) : "…";

  return (
    <Modal
      labelledBy="pay-title"
      describedBy="pay-subject"
      testId="pay-dialog"
      canClose={!pay.isPending}
      onClose={onClose}
      fallbackFocus={fallbackFocus}
      onKeyDown={onKey}
    >
      <header>
        <h2 id="pay-title">
          {t(paysOut ? "pay.titleOut" : "pay.title")} <span className="mono">{order.order_no}</span>
        </h2>
        {order.is_sandbox && <SandboxBadge />}
        <span className="spacer" />
        <strong className="num">{formatMoney(order.amount, order.currency)}</strong>
      </header>
      <p className="subject" id="pay-subject">
        {order.subject && <>{order.subject} · </>}
        <span data-testid="pay-gateway">
          {gatewayName(order.gateway, t)} · {order.profile}
        </span>
      </p>
      {pay.isIdle && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            confirm();
          }}
        >
          {/* One choice of several: a radio group, one Tab stop, the arrows move the choice. */}
          <fieldset className="channels" role={channels.length > 0 ? "radiogroup" : undefined}>
            <legend>{t("pay.chooseChannel")}</legend>
            {channels.length === 0 && <p className="error">{t("pay.noChannel")}</p>}
            {channels.map((c, i) => (
              <button
                key={c}
                type="button"
                role="radio"
                className={c === channel ? "channel chosen" : "channel"}
                aria-checked={c === channel}
                tabIndex={c === channel ? 0 : -1}
                aria-keyshortcuts={i < 9 ? String(i + 1) : undefined}
                data-channel={c}
                onClick={() => setChannel(c)}
              >
                <span className="channel-icon" aria-hidden="true">
                  {CHANNEL_ICON[c] ?? "•"}
                </span>
                {t(`channel.${c}`)}
                {i < 9 && <kbd aria-hidden="true">{i + 1}</kbd>}
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
          {caps?.subscription_refunds && <SubscriptionRefunds refunds={refunds} onChange={setRefunds} currency={order.currency} />}
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
          {/* The amount and Confirm stay in sight while the choices above them scroll. */}
          <div className="commit">
            <div className="total">
              <span>{t(paysOut ? "pay.toPayOut" : "pay.toCharge")}</span>
              <strong className="num" data-testid="charge-amount">
                {charge}
              </strong>
            </div>
            <footer>
              <button
                type="submit"
                className="primary"
                ref={confirmRef}
                data-testid="confirm-pay"
                disabled={!canConfirm}
              >
                {t(paysOut ? "pay.confirmOut" : "pay.confirm", { amount: charge })}
              </button>
              <button type="button" onClick={onClose}>
                {t("common.cancel")}
              </button>
            </footer>
          </div>
          {readOnly && (
            <p className="error" role="note" data-testid="pay-read-only">
              {t("pay.readOnly")}
            </p>
          )}
          {offline && (
            <p className="error" role="note" data-testid="pay-offline">
              {t(unfit ? (sharedSchemaIsNewer(unfit) ? "pay.offlineNewerSchema" : "pay.offlineOlderSchema") : "pay.offline")}
            </p>
          )}
        </form>
      )}
      {pay.isPending && (
        <p className="progress" role="status" data-testid="pay-progress">
          <span className="spinner" aria-hidden="true" /> {t("pay.sending")}
        </p>
      )}
      {pay.isSuccess && (
        <PayResult
          report={pay.data}
          order={order}
          statusQuery={caps?.status_query ?? true}
          paysOut={paysOut}
          onClose={onClose}
          onNext={onNext}
        />
      )}
      {pay.isError && (
        <div className="result" role="alert" data-testid="pay-error">
          <FailureNote error={pay.error} testId="pay-failure" />
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
