import type { OrderView } from "../types";
import { CHANNEL_LABEL, formatMoney, formatTime } from "../words";
import { SandboxBadge, StateBadge } from "./StateBadge";

interface Props {
  orders: OrderView[];
  selected: string | null;
  onSelect: (orderNo: string) => void;
}

export function OrdersTable({ orders, selected, onSelect }: Props) {
  if (orders.length === 0) {
    return <p className="empty">No orders yet. Add one, or start on the sandbox to get demo orders.</p>;
  }
  return (
    <table className="orders" aria-label="Orders">
      <thead>
        <tr>
          <th scope="col">Order number</th>
          <th scope="col" className="num">Amount</th>
          <th scope="col">Gateway</th>
          <th scope="col">Channel</th>
          <th scope="col">State</th>
          <th scope="col">Last update</th>
          <th scope="col">Subject</th>
        </tr>
      </thead>
      <tbody>
        {orders.map((o) => (
          <tr
            key={o.order_no}
            data-order-no={o.order_no}
            className={o.order_no === selected ? "selected" : undefined}
            aria-selected={o.order_no === selected}
            tabIndex={0}
            onClick={() => onSelect(o.order_no)}
            onKeyDown={(e) => {
              if (e.key === "Enter" || e.key === " ") onSelect(o.order_no);
            }}
          >
            <td className="mono">{o.order_no}</td>
            <td className="num">{formatMoney(o.amount, o.currency)}</td>
            <td>
              {o.profile} {o.is_sandbox && <SandboxBadge />}
            </td>
            <td>{o.channel ? CHANNEL_LABEL[o.channel] : "—"}</td>
            <td>
              <StateBadge state={o.state} />
            </td>
            <td>{formatTime(o.updated_at)}</td>
            <td>{o.subject}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
