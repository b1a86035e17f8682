import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useCancelOrder } from "../queries/mutations";
import { useAppInfo } from "../queries/reads";
import type { AttemptDetail, OrderChange, OrderTerms, OrderView } from "../types";
import { formatActor, formatMoney, formatTime, minorToDecimal } from "../words";
import { FailureNote } from "./FailureNote";

/** An attempt's amounts from the order's to what was charged: each voucher and coupon, the
 * balance/credit split, and the amount charged. Nothing when it was the order's amount, paid
 * whole. */
export function AttemptCharges({ attempt: a, order }: { attempt: AttemptDetail; order: OrderView }) {
  const { t } = useTranslation();
  const money = (amount: string) => formatMoney(amount, order.currency);
  const plain =
    a.deductions.length === 0 && a.credit_amount === null && a.subscription_refunds.length === 0 && a.charged_amount_minor === order.amount_minor;
  if (plain) return null;
  return (
    <dl className="charges" data-testid="attempt-charges">
      <dt>{t("charges.orderAmount")}</dt>
      <dd className="num">{money(order.amount)}</dd>
      {a.deductions.map((d) => (
        <div key={`${d.kind}-${d.id}`} className="charge-line" data-testid={`deduction-${d.kind}`}>
          <dt>
            {t(`charges.${d.kind}`)} <span className="mono">{d.id}</span>
          </dt>
          <dd className="num">{d.amount === null ? t("charges.notYetSaid") : `−${money(d.amount)}`}</dd>
        </div>
      ))}
      {a.balance_amount !== null && a.credit_amount !== null && (
        <>
          <dt>{t("charges.balance")}</dt>
          <dd className="num" data-testid="split-balance">
            {money(a.balance_amount)}
          </dd>
          <dt>{t("charges.credit")}</dt>
          <dd className="num" data-testid="split-credit">
            {money(a.credit_amount)}
          </dd>
        </>
      )}
      <dt>{t("charges.charged")}</dt>
      <dd className="num strong" data-testid="charged">
        {money(a.charged_amount)}
      </dd>
      {a.subscription_refunds.map((r) => (
        <div key={r.subscribe_id} className="charge-line" data-testid="subscription-refund">
          <dt>
            {t("charges.refund")} <span className="mono">{r.subscribe_id}</span>
          </dt>
          <dd className="num">{money(r.amount)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** What an edit changed, in words: each term before and after. */
export function editedTerms(before: OrderTerms, after: OrderTerms, money: (minor: number) => string, words: { amount: string; subject: string }): string[] {
  const lines: string[] = [];
  if (before.amount_minor !== after.amount_minor) lines.push(`${words.amount}: ${money(before.amount_minor)} → ${money(after.amount_minor)}`);
  if (before.subject !== after.subject) lines.push(`${words.subject}: “${before.subject}” → “${after.subject}”`);
  const names = new Set([...Object.keys(before.attributes), ...Object.keys(after.attributes)]);
  for (const name of [...names].sort()) {
    const was = before.attributes[name];
    const now = after.attributes[name];
    if (was !== now) lines.push(`${name}: ${was ?? "—"} → ${now ?? "—"}`);
  }
  return lines;
}

/** The order's own story after it was added: its edits and its cancellation, who and when. */
export function OrderChanges({ changes, order }: { changes: OrderChange[]; order: OrderView }) {
  const { t } = useTranslation();
  const exponent = useAppInfo().data?.currencies.find((c) => c.code === order.currency)?.exponent ?? 2;
  const money = (minor: number) => formatMoney(minorToDecimal(minor, exponent), order.currency);
  if (changes.length === 0) return null;
  return (
    <>
      <h3>{t("orderChange.title")}</h3>
      <ul className="timeline" data-testid="order-changes">
        {changes.map((c, i) => (
          <li key={i} data-kind={c.kind}>
            <time>{formatTime(c.at)}</time> {t(c.kind === "edited" ? "orderChange.edited" : "orderChange.cancelled")}
            {formatActor(c) && <span className="hint"> · {formatActor(c)}</span>}
            {c.kind === "edited" && (
              <ul>
                {editedTerms(c.before, c.after, money, { amount: t("term.amount"), subject: t("term.subject") }).map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            )}
            {c.kind === "cancelled" && c.note && <> — {c.note}</>}
          </li>
        ))}
      </ul>
    </>
  );
}

/** Cancelling an unpaid order: asked once more, with an optional note; the order is kept. */
export function CancelOrderForm({ orderNo, onDone }: { orderNo: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [note, setNote] = useState("");
  const cancel = useCancelOrder(orderNo);
  const busy = cancel.isPending || cancel.isSuccess;
  return (
    <form
      className="resolve"
      data-testid="cancel-order-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!busy) cancel.mutate(note.trim() || null, { onSuccess: onDone });
      }}
    >
      <h4>{t("orderChange.cancelTitle")}</h4>
      <p className="hint">{t("orderChange.cancelHelp")}</p>
      <label className="field">
        {t("orderChange.note")}
        <textarea value={note} rows={2} data-testid="cancel-note" onChange={(e) => setNote(e.target.value)} />
      </label>
      {cancel.error && <FailureNote error={cancel.error} />}
      <div className="actions">
        <button type="submit" className="danger" disabled={busy} data-testid="confirm-cancel-order">
          {t("orderChange.confirmCancel")}
        </button>
        <button type="button" onClick={onDone} disabled={cancel.isPending}>
          {t("orderChange.keep")}
        </button>
      </div>
    </form>
  );
}
