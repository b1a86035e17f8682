import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, errorMessage } from "../api";
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => first.current?.focus(), []);

  async function submit() {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      onAdded(await api.addOrder({ profile, orderNo, amount, currency: "CNY", subject }));
    } catch (e) {
      setError(errorMessage(e));
      setBusy(false);
    }
  }

  return (
    <Modal labelledBy="new-order-title" testId="new-order-dialog" canClose={!busy} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
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
                {p.is_sandbox ? " (SANDBOX)" : ""}
              </option>
            ))}
          </select>
        </label>
        {error && (
          <p className="error" role="alert" data-testid="new-order-error">
            {error}
          </p>
        )}
        <footer>
          <button type="button" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="primary" disabled={busy} data-testid="new-order-create">
            {t("newOrder.create")}
          </button>
        </footer>
      </form>
    </Modal>
  );
}
