import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { CopyButton } from "../components/CopyButton";
import { OrderPanel } from "../components/OrderPanel";
import { lookupQuery, orderDetailQuery, useMerchantZone, useOfflineCopyAsOf, usePaysOut } from "../queries/reads";
import { CancelledBadge, SandboxBadge, StateBadge } from "../components/StateBadge";
import type { LookupInput, OrderDetail, ProfileView } from "../types";
import { gatewayName } from "../names";
import { describeEvent } from "../timeline";
import { dateInputToMs, formatActor, formatMoney, formatTime, stateKey, writtenByAnother } from "../words";
import { FailureNote } from "../components/FailureNote";

/** Everything known about an order as plain text, for pasting into a ticket (a payout in a
 * payout's words), saying what the panel says: a cancelled order as cancelled, and details read
 * from the desk's offline copy of the shared history (`copyAsOf`, as of when) as such. */
function asText(d: OrderDetail, t: TFunction, paysOut: boolean, copyAsOf: number | null): string {
  const { order } = d;
  const state =
    order.cancelled_at !== null
      ? t("orderChange.cancelledHint", { time: formatTime(order.cancelled_at) }) + (order.cancel_note ? ` — ${order.cancel_note}` : "")
      : t(stateKey(order.state ?? "created", paysOut));
  const lines = [
    ...(copyAsOf !== null ? [t("lookup.fromCopy", { time: formatTime(copyAsOf) })] : []),
    `${t("term.orderNo")}: ${order.order_no}`,
    `${t("term.amount")}: ${formatMoney(order.amount, order.currency)}`,
    `${t("term.gateway")}: ${gatewayName(order.gateway, t)} · ${order.profile}`,
    `${t("term.state")}: ${state}`,
  ];
  for (const a of d.attempts) {
    lines.push(
      "",
      `#${a.id} ${t(`channel.${a.channel}`)} ${formatMoney(a.amount, d.order.currency)} ${t(stateKey(a.state, paysOut))}`,
      `${t("term.idempotencyKey")}: ${a.idempotency_key}`,
    );
    if (formatActor(a)) lines.push(t("detail.startedBy", { who: formatActor(a) }));
    if (a.gateway_ref) lines.push(`${t("term.gatewayRef")}: ${a.gateway_ref}`);
    if (a.customer_ref) lines.push(`${t("term.customerRef")}: ${a.customer_ref}`);
    if (a.pay_url) lines.push(`${t("term.payUrl")}: ${a.pay_url}`);
    if (a.error) lines.push(`${a.error.code}: ${a.error.message}`);
    a.events.forEach((e, i) => {
      const words = describeEvent(t, a, i, { gateway: d.order.gateway, paysOut });
      const by = !words.namesWriter && writtenByAnother(e, a) ? t("detail.recordedBy", { who: formatActor(e) }) : "";
      // The back end sends the customer's personal data hidden, so a ticket has it hidden too.
      const raw = words.raw ? ` — ${words.raw}` : "";
      lines.push(`  ${formatTime(e.at)} ${words.text}${by}${raw}`);
    });
  }
  return lines.join("\n");
}

/** `onHistory` opens the audit trail narrowed to the order found. */
export function LookupView({ initial, profiles = [], onHistory }: { initial?: string; profiles?: ProfileView[]; onHistory?: (orderNo: string) => void }) {
  const zone = useMerchantZone();
  const { t } = useTranslation();
  const paysOut = usePaysOut();
  const copyAsOf = useOfflineCopyAsOf();
  const [text, setText] = useState(initial ?? "");
  const [amount, setAmount] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  // What was looked up, and which of several orders it found was opened.
  const [asked, setAsked] = useState<LookupInput | null>(null);
  const [opened, setOpened] = useState<string | null>(null);
  const box = useRef<HTMLInputElement>(null);

  useEffect(() => box.current?.focus(), []);

  const found = useQuery(lookupQuery(asked));
  const hits = found.data ?? null;
  const orderNo = opened ?? (hits?.length === 1 ? hits[0]!.order_no : null);
  const shown = useQuery(orderDetailQuery(orderNo));
  const detail = shown.data;
  const caps = detail ? profiles.find((p) => p.name === detail.order.profile)?.capabilities : undefined;
  const error = found.error ?? shown.error;

  return (
    <section className="view lookup" aria-labelledby="lookup-title">
      <h1 id="lookup-title">{t("lookup.title")}</h1>
      <form
        className="lookup-form"
        onSubmit={(e) => {
          e.preventDefault();
          setAsked({ reference: text });
          setOpened(null);
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
      <form
        className="lookup-form"
        aria-label={t("lookup.byAmount")}
        onSubmit={(e) => {
          e.preventDefault();
          setAsked({ amount, sinceMs: dateInputToMs(from, 0, zone), untilMs: dateInputToMs(to, 1, zone) });
          setOpened(null);
        }}
      >
        <label className="field">
          {t("lookup.amount")}
          <input value={amount} inputMode="decimal" className="num" placeholder="0.00" data-testid="lookup-amount" aria-describedby="lookup-amount-help" onChange={(e) => setAmount(e.target.value)} />
        </label>
        <label className="field">
          {t("lookup.from")}
          <input type="date" value={from} data-testid="lookup-from" onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label className="field">
          {t("lookup.to")}
          <input type="date" value={to} data-testid="lookup-to" onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="submit" data-testid="lookup-amount-go" disabled={!amount.trim()}>
          {t("lookup.find")}
        </button>
      </form>
      <p id="lookup-amount-help" className="hint">
        {t("lookup.amountHelp")}
      </p>
      {error && <FailureNote error={error} />}
      {hits && hits.length === 0 && (
        <p className="empty">{t("lookup.none", { text: asked && "amount" in asked ? asked.amount : text })}</p>
      )}
      {hits && hits.length > 1 && (
        <ul className="hits" data-testid="lookup-hits">
          {hits.map((h) => (
            <li key={h.order_no} data-testid="lookup-hit">
              <button type="button" className="link" onClick={() => setOpened(h.order_no)}>
                <span className="mono">{h.order_no}</span>
              </button>{" "}
              {h.cancelled ? <CancelledBadge /> : <StateBadge state={h.state} paysOut={paysOut(h.profile)} />}{" "}
              {h.is_sandbox && (
                <>
                  <SandboxBadge />{" "}
                </>
              )}
              <span className="num">{formatMoney(h.amount, h.currency)}</span>{" "}
              <time className="hint">{formatTime(h.updated_at)}</time>{" "}
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
          <CopyButton text={asText(detail, t, caps?.pays_out ?? false, copyAsOf)} label={t("lookup.copyAll")} showLabel />
          <OrderPanel
            detail={detail}
            copyable
            statusQuery={caps?.status_query ?? true}
            paysOut={caps?.pays_out ?? false}
            onHistory={onHistory && (() => onHistory(detail.order.order_no))}
          />
        </div>
      )}
    </section>
  );
}
