import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { errorMessage } from "../api";
import { useAddOrder } from "../queries/mutations";
import type { OrderView, ProfileView } from "../types";
import { Modal } from "./Modal";

interface Props {
  profiles: ProfileView[];
  onClose: () => void;
  onAdded: (order: OrderView) => void;
}

/** The amount is sent as typed: the backend parses it exactly or says why not. */
export function NewOrderDialog({ profiles, onClose, onAdded }: Props) {
  const { t } = useTranslation();
  const [profile, setProfile] = useState(profiles[0]?.name ?? "");
  const [orderNo, setOrderNo] = useState("");
  const [amount, setAmount] = useState("");
  const [subject, setSubject] = useState("");
  const add = useAddOrder();
  // Added, the dialog closes: until then it takes no second order.
  const busy = add.isPending || add.isSuccess;
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => first.current?.focus(), []);

  function submit() {
    if (busy) return;
    add.mutate({ profile, orderNo, amount, currency: "CNY", subject }, { onSuccess: onAdded });
  }

  return (
    <Modal labelledBy="new-order-title" testId="new-order-dialog" canClose={!busy} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <header>
          <h2 id="new-order-title">{t("newOrder.title")}</h2>
        </header>
        <label className="field">
          {t("newOrder.orderNo")}
          <input ref={first} required value={orderNo} data-testid="new-order-no" onChange={(e) => setOrderNo(e.target.value)} />
        </label>
        <label className="field">
          {t("newOrder.amount")} (CNY)
          <input
            required
            inputMode="decimal"
            className="num"
            value={amount}
            placeholder="0.00"
            aria-describedby="amount-help"
            data-testid="new-order-amount"
            onChange={(e) => setAmount(e.target.value)}
          />
          <span id="amount-help" className="hint">
            {t("newOrder.amountHelp")}
          </span>
        </label>
        <label className="field">
          {t("newOrder.subject")}
          <input value={subject} data-testid="new-order-subject" onChange={(e) => setSubject(e.target.value)} />
        </label>
        <label className="field">
          {t("newOrder.profile")}
          <select value={profile} onChange={(e) => setProfile(e.target.value)} data-testid="new-order-profile">
            {profiles.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
                {p.is_sandbox ? ` (${t("term.sandbox")})` : ""}
              </option>
            ))}
          </select>
        </label>
        {add.error && (
          <p className="error" role="alert" data-testid="new-order-error">
            {errorMessage(add.error)}
          </p>
        )}
        <footer>
          <button type="submit" className="primary" disabled={busy} data-testid="new-order-create">
            {t("newOrder.create")}
          </button>
          <button type="button" onClick={onClose}>
            {t("common.cancel")}
          </button>
        </footer>
      </form>
    </Modal>
  );
}
