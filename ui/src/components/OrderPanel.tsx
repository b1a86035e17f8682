import type { OrderDetail } from "../types";
import { CHANNEL_LABEL, STATE_HINT, STATE_LABEL, formatMoney, formatTime } from "../words";
import { SandboxBadge, StateBadge } from "./StateBadge";

interface Props {
  detail: OrderDetail;
  onPay: () => void;
}

/** An order can be paid unless an attempt is live or it is already paid. */
export function canPay(detail: OrderDetail): boolean {
  return detail.attempts.every((a) => a.state === "failed");
}

export function OrderPanel({ detail, onPay }: Props) {
  const { order, attempts } = detail;
  const latest = attempts[attempts.length - 1];
  return (
    <aside className="panel" aria-label={`Order ${order.order_no}`}>
      <header>
        <h2 className="mono">{order.order_no}</h2>
        {order.is_sandbox && <SandboxBadge />}
      </header>
      <dl className="facts">
        <dt>Amount</dt>
        <dd className="num amount">{formatMoney(order.amount, order.currency)}</dd>
        <dt>Subject</dt>
        <dd>{order.subject || "—"}</dd>
        <dt>Gateway</dt>
        <dd>
          {order.profile} ({order.gateway})
        </dd>
        <dt>State</dt>
        <dd data-testid="order-state">
          <StateBadge state={order.state} />
          <div className="hint">{STATE_HINT[order.state ?? "created"]}</div>
        </dd>
      </dl>
      <button
        type="button"
        className="primary"
        data-testid="open-pay"
        disabled={!canPay(detail)}
        onClick={onPay}
      >
        Pay…
      </button>
      <h3>Attempts</h3>
      {attempts.length === 0 && <p className="empty">No payment attempts yet.</p>}
      <ol className="attempts">
        {attempts.map((a) => (
          <li key={a.id} data-testid="attempt" data-state={a.state}>
            <div className="attempt-head">
              <StateBadge state={a.state} /> {CHANNEL_LABEL[a.channel]} ·{" "}
              <span className="num">{formatMoney(a.amount, order.currency)}</span>
            </div>
            {a.gateway_ref && (
              <div className="ref">
                Gateway reference: <span className="mono">{a.gateway_ref}</span>
              </div>
            )}
            {a.error && (
              <div className="error" role="note">
                {a.error.code}: {a.error.message}
              </div>
            )}
            <ul className="timeline">
              {a.events.map((e, i) => (
                <li key={i}>
                  <time>{formatTime(e.at)}</time> {STATE_LABEL[e.state]}
                  {e.detail ? ` — ${e.detail}` : ""}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
      {latest && (
        <p className="idem">
          Idempotency key of the latest attempt: <span className="mono">{latest.idempotency_key}</span>
        </p>
      )}
    </aside>
  );
}
