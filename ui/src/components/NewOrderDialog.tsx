import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { gatewayName } from "../names";
import { useAddOrder, useEditOrder } from "../queries/mutations";
import type { OrderAttribute, OrderView, ProfileView } from "../types";
import { Modal } from "./Modal";
import { FailureNote } from "./FailureNote";

/** Currencies offered where a profile's gateway takes any: the backend checks the code and its
 * minor digits. */
const CURRENCIES = ["CNY", "USD", "EUR", "HKD", "INR", "GBP", "JPY", "SGD"];

interface Extra {
  key: string;
  value: string;
}

interface Props {
  profiles: ProfileView[];
  /** The unpaid order to change; without one, a new order. */
  editing?: OrderView;
  onClose: () => void;
  onSaved: (order: OrderView) => void;
  /** Leaves for the Gateways view, where the profile an order is paid through is added. */
  onShowGateways?: () => void;
}

/** New order, or an unpaid order's new terms: the currency from the profile where its gateway
 * fixes one, the attributes its gateway reads as fields of their own (required ones marked),
 * anything else as name/value rows. Values go as typed: the backend checks every rule. */
export function NewOrderDialog({ profiles, editing, onClose, onSaved, onShowGateways }: Props) {
  const { t } = useTranslation();
  const [profileName, setProfileName] = useState(editing?.profile ?? profiles[0]?.name ?? "");
  const profile = profiles.find((p) => p.name === profileName);
  const gatewayFields: OrderAttribute[] = profile?.order_attributes ?? [];
  const [orderNo, setOrderNo] = useState(editing?.order_no ?? "");
  const [amount, setAmount] = useState(editing?.amount ?? "");
  const [chosenCurrency, setChosenCurrency] = useState(editing?.currency ?? "CNY");
  const currency = editing?.currency ?? profile?.order_currency ?? chosenCurrency;
  const [subject, setSubject] = useState(editing?.subject ?? "");
  const [fields, setFields] = useState<Record<string, string>>(() => ({ ...(editing?.attributes ?? {}) }));
  const [extras, setExtras] = useState<Extra[]>(() =>
    Object.entries(editing?.attributes ?? {})
      .filter(([key]) => !gatewayFields.some((f) => f.name === key))
      .map(([key, value]) => ({ key, value })),
  );
  const add = useAddOrder();
  const edit = useEditOrder();
  const save = editing ? edit : add;
  // Saved, the dialog closes: until then it takes no second order.
  const busy = save.isPending || save.isSuccess;
  const first = useRef<HTMLInputElement>(null);

  useEffect(() => first.current?.focus(), []);

  function attributes(): Record<string, string> {
    const all: Record<string, string> = {};
    for (const e of extras) if (e.key.trim()) all[e.key.trim()] = e.value;
    for (const f of gatewayFields) {
      const value = (fields[f.name] ?? "").trim();
      if (value) all[f.name] = value;
    }
    return all;
  }

  function submit() {
    if (busy) return;
    if (editing) {
      edit.mutate({ orderNo: editing.order_no, revision: editing.revision, amount, subject, attributes: attributes() }, { onSuccess: onSaved });
    } else {
      add.mutate({ profile: profileName, orderNo, amount, currency, subject, attributes: attributes() }, { onSuccess: onSaved });
    }
  }

  const title = editing ? t("orderForm.editTitle", { orderNo: editing.order_no }) : t("newOrder.title");
  // An order is paid through a gateway profile: with none yet, the way to one, not a form
  // whose every save is refused.
  if (!editing && profiles.length === 0) {
    return (
      <Modal labelledBy="new-order-title" testId="new-order-dialog" onClose={onClose}>
        <header>
          <h2 id="new-order-title">{title}</h2>
        </header>
        <p data-testid="new-order-no-profile">{t("newOrder.noProfile")}</p>
        <footer>
          {onShowGateways && (
            <button type="button" className="primary" onClick={onShowGateways}>
              {t("orders.addProfile")}
            </button>
          )}
          <button type="button" onClick={onClose}>
            {t("common.cancel")}
          </button>
        </footer>
      </Modal>
    );
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
          <h2 id="new-order-title">{title}</h2>
        </header>
        {!editing && (
          <label className="field">
            {t("newOrder.profile")}
            <select value={profileName} onChange={(e) => setProfileName(e.target.value)} data-testid="new-order-profile">
              {profiles.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                  {p.is_sandbox ? ` (${t("term.sandbox")})` : ""}
                </option>
              ))}
            </select>
          </label>
        )}
        {!editing && (
          <label className="field">
            {t("newOrder.orderNo")}
            <input ref={first} required value={orderNo} data-testid="new-order-no" onChange={(e) => setOrderNo(e.target.value)} />
          </label>
        )}
        <div className="field-row">
          <label className="field">
            {t("newOrder.amount")}
            <input
              ref={editing ? first : undefined}
              required
              inputMode="decimal"
              className="num"
              value={amount}
              placeholder="0.00"
              aria-describedby="amount-help"
              data-testid="new-order-amount"
              onChange={(e) => setAmount(e.target.value)}
            />
          </label>
          <label className="field currency">
            {t("orderForm.currency")}
            {editing || profile?.order_currency ? (
              <output data-testid="new-order-currency">{currency}</output>
            ) : (
              <select value={chosenCurrency} onChange={(e) => setChosenCurrency(e.target.value)} data-testid="new-order-currency">
                {CURRENCIES.map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            )}
          </label>
        </div>
        <span id="amount-help" className="hint">
          {t("newOrder.amountHelp")}
          {profile?.order_currency && !editing ? ` ${t("orderForm.currencyFixed", { currency })}` : ""}
        </span>
        <label className="field">
          {t("newOrder.subject")}
          <input value={subject} data-testid="new-order-subject" onChange={(e) => setSubject(e.target.value)} />
        </label>
        {gatewayFields.length > 0 && (
          <fieldset className="gateway-fields" data-testid="gateway-fields">
            <legend>{t("orderForm.gatewayFields", { gateway: profile ? gatewayName(profile.gateway, t) : "" })}</legend>
            {gatewayFields.map((f) => (
              <label className="field" key={f.name}>
                <span>
                  <span className="mono">{f.name}</span>
                  {f.required && <abbr title={t("orderForm.required")}> *</abbr>}
                </span>
                <input
                  required={f.required}
                  inputMode={f.positive_integer ? "numeric" : undefined}
                  pattern={f.positive_integer ? "[1-9][0-9]*" : undefined}
                  value={fields[f.name] ?? ""}
                  data-testid={`attr-${f.name}`}
                  onChange={(e) => setFields({ ...fields, [f.name]: e.target.value })}
                />
              </label>
            ))}
          </fieldset>
        )}
        <ExtraAttributes extras={extras} onChange={setExtras} />
        {save.error && <FailureNote error={save.error} testId="new-order-error" />}
        <footer>
          <button type="submit" className="primary" disabled={busy} data-testid="new-order-create">
            {editing ? t("orderForm.save") : t("newOrder.create")}
          </button>
          <button type="button" onClick={onClose}>
            {t("common.cancel")}
          </button>
        </footer>
      </form>
    </Modal>
  );
}

/** Attributes beyond the gateway's own, as name/value rows. */
function ExtraAttributes({ extras, onChange }: { extras: Extra[]; onChange: (extras: Extra[]) => void }) {
  const { t } = useTranslation();
  const set = (i: number, patch: Partial<Extra>) => onChange(extras.map((e, j) => (j === i ? { ...e, ...patch } : e)));
  return (
    <fieldset className="extra-attributes">
      <legend>{t("orderForm.otherAttributes")}</legend>
      {extras.map((e, i) => (
        <div className="field-row" key={i}>
          <input aria-label={t("orderForm.attributeName")} value={e.key} onChange={(ev) => set(i, { key: ev.target.value })} />
          <input aria-label={t("orderForm.attributeValue")} value={e.value} onChange={(ev) => set(i, { value: ev.target.value })} />
          <button type="button" className="small" aria-label={t("orderForm.removeAttribute", { name: e.key })} onClick={() => onChange(extras.filter((_, j) => j !== i))}>
            ✕
          </button>
        </div>
      ))}
      <button type="button" className="small" data-testid="add-attribute" onClick={() => onChange([...extras, { key: "", value: "" }])}>
        {t("orderForm.addAttribute")}
      </button>
    </fieldset>
  );
}
