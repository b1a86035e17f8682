import { useTranslation } from "react-i18next";
import type { RefundInput } from "../types";

/** The subscriptions a TOP payment replaces, each with its refund: listed with the payment,
 * never taken off what it charges (the backend checks every one). */
export function SubscriptionRefunds({ refunds, onChange, currency }: { refunds: RefundInput[]; onChange: (refunds: RefundInput[]) => void; currency: string }) {
  const { t } = useTranslation();
  const set = (i: number, patch: Partial<RefundInput>) => onChange(refunds.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="vouchers" data-testid="subscription-refunds">
      <legend>{t("pay.refunds")}</legend>
      <p className="hint">{t("pay.refundsHelp")}</p>
      {refunds.map((r, i) => (
        <div className="voucher-row" key={i}>
          <input
            value={r.subscribe_id}
            aria-label={t("pay.refundId")}
            placeholder={t("pay.refundId")}
            data-testid={`refund-id-${i}`}
            onChange={(e) => set(i, { subscribe_id: e.target.value })}
          />
          <input
            value={r.amount}
            inputMode="decimal"
            className="num"
            aria-label={t("pay.refundAmount", { currency })}
            placeholder="0.00"
            data-testid={`refund-amount-${i}`}
            onChange={(e) => set(i, { amount: e.target.value })}
          />
          <button type="button" className="small" aria-label={t("pay.removeRefund", { id: r.subscribe_id })} onClick={() => onChange(refunds.filter((_, j) => j !== i))}>
            ✕
          </button>
        </div>
      ))}
      <button type="button" className="small" data-testid="add-refund" onClick={() => onChange([...refunds, { subscribe_id: "", amount: "" }])}>
        {t("pay.addRefund")}
      </button>
    </fieldset>
  );
}
