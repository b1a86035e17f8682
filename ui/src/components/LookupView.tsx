import { useEffect, useRef, useState } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { api, errorMessage } from "../api";
import type { LookupHit, OrderDetail, ProfileView } from "../types";
import { formatMoney, formatTime } from "../words";
import { CopyButton } from "./CopyButton";
import { OrderPanel } from "./OrderPanel";

/** Everything known about an order as plain text, for pasting into a ticket. */
function asText(d: OrderDetail, t: TFunction): string {
  const lines = [
    `${t("term.orderNo")}: ${d.order.order_no}`,
    `${t("term.amount")}: ${formatMoney(d.order.amount, d.order.currency)}`,
    `${t("term.gateway")}: ${d.order.profile} (${d.order.gateway})`,
    `${t("term.state")}: ${t(`state.${d.order.state ?? "created"}`)}`,
  ];
  for (const a of d.attempts) {
    lines.push(
      "",
      `#${a.id} ${t(`channel.${a.channel}`)} ${formatMoney(a.amount, d.order.currency)} ${t(`state.${a.state}`)}`,
      `${t("term.idempotencyKey")}: ${a.idempotency_key}`,
    );
    if (a.gateway_ref) lines.push(`${t("term.gatewayRef")}: ${a.gateway_ref}`);
    if (a.pay_url) lines.push(`${t("term.payUrl")}: ${a.pay_url}`);
    if (a.error) lines.push(`${a.error.code}: ${a.error.message}`);
    for (const e of a.events) lines.push(`  ${formatTime(e.at)} ${t(`state.${e.state}`)}${e.detail ? ` — ${e.detail}` : ""}`);
  }
  return lines.join("\n");
}

export function LookupView({ initial, profiles = [] }: { initial?: string; profiles?: ProfileView[] }) {
  const { t } = useTranslation();
  const [text, setText] = useState(initial ?? "");
  const [hits, setHits] = useState<LookupHit[] | null>(null);
  const [detail, setDetail] = useState<OrderDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLInputElement>(null);

  useEffect(() => box.current?.focus(), []);

  async function open(orderNo: string) {
    try {
      setDetail(await api.orderDetail(orderNo));
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function find() {
    setError(null);
    setDetail(null);
    try {
      const found = await api.lookup(text);
      setHits(found);
      if (found.length === 1) await open(found[0]!.order_no);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <section className="view lookup" aria-labelledby="lookup-title">
      <h1 id="lookup-title">{t("lookup.title")}</h1>
      <form
        className="lookup-form"
        onSubmit={(e) => {
          e.preventDefault();
          void find();
        }}
      >
        <label className="field grow">
          {t("lookup.label")}
          <input
            ref={box}
            value={text}
            className="mono"
            data-testid="lookup-input"
            aria-describedby="lookup-help"
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        <button type="submit" className="primary" data-testid="lookup-go">
          {t("lookup.find")}
        </button>
      </form>
      <p id="lookup-help" className="hint">
        {t("lookup.help")}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {hits && hits.length === 0 && <p className="empty">{t("lookup.none", { text })}</p>}
      {hits && hits.length > 1 && (
        <ul className="hits" data-testid="lookup-hits">
          {hits.map((h) => (
            <li key={h.order_no}>
              <button type="button" className="link" onClick={() => void open(h.order_no)}>
                <span className="mono">{h.order_no}</span>
              </button>{" "}
              <span className="hint">
                {t("lookup.matchedBy", { what: t(`lookup.matched.${h.matched}`) })}: {h.value}
              </span>
            </li>
          ))}
        </ul>
      )}
      {detail && (
        <div className="lookup-detail" data-testid="lookup-detail">
          {hits?.length === 1 && (
            <p className="hint" data-testid="lookup-matched">
              {t("lookup.matchedBy", { what: t(`lookup.matched.${hits[0]!.matched}`) })}
            </p>
          )}
          <CopyButton text={asText(detail, t)} label={t("lookup.copyAll")} showLabel />
          <OrderPanel
            detail={detail}
            onChanged={setDetail}
            copyable
            statusQuery={profiles.find((p) => p.name === detail.order.profile)?.capabilities?.status_query ?? true}
          />
        </div>
      )}
    </section>
  );
}
