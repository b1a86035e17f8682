// The orders table's columns: what each cell shows (how wide each is, and which give way first:
// layout.ts).
import { createColumnHelper } from "@tanstack/react-table";
import type { TFunction } from "i18next";
import type { ReactNode } from "react";
import { gatewayName } from "../names";
import type { AttemptState, Channel, OrderView } from "../types";
import { formatMoney, formatTime, formatWhen } from "../words";
import { cancelledBadge, sandboxBadge, stateBadge } from "./StateBadge";

/** One column's cell: drawn from the order alone, so a row can be drawn without the table. */
export interface OrderCell {
  id: keyof OrderView & string;
  numeric: boolean;
  render: (order: OrderView) => ReactNode;
}

/** `make(key)`, made once per key for as long as the function lives. */
function once<K, V>(make: (key: K) => V): (key: K) => V {
  const made = new Map<K, V>();
  return (key) => {
    if (!made.has(key)) made.set(key, make(key));
    return made.get(key)!;
  };
}

/**
 * Every column's cell in the window's words; `paysOut` says whether a profile's gateway pays
 * money out (its state is then worded as a payout). A row's words and badges are looked up
 * once per table, not once per row: a search's rows would otherwise spend more time in the
 * translations than in React.
 */
export function orderCells(t: TFunction, paysOut: (profile: string) => boolean): OrderCell[] {
  const gateway = once((id: string) => gatewayName(id, t));
  const channel = once((id: Channel | null) => (id ? t(`channel.${id}`) : t("common.none")));
  const sandbox = sandboxBadge(t);
  const cancelled = cancelledBadge(t);
  const payoutBadge = once((state: AttemptState | null) => stateBadge(t, state, true));
  const paymentBadge = once((state: AttemptState | null) => stateBadge(t, state, false));
  return [
    {
      id: "order_no",
      numeric: false,
      render: (o) => (
        <span className="mono" title={o.order_no}>
          {o.order_no}
        </span>
      ),
    },
    { id: "amount", numeric: true, render: (o) => formatMoney(o.amount, o.currency) },
    {
      id: "profile",
      numeric: false,
      // The badge stays whole; a long profile name gives way first.
      render: (o) => (
        <span className="cell-flex">
          <span className="clip" title={`${o.profile} · ${gateway(o.gateway)}`}>
            {o.profile}
          </span>
          {o.is_sandbox && sandbox}
        </span>
      ),
    },
    { id: "channel", numeric: false, render: (o) => channel(o.channel) },
    {
      id: "state",
      numeric: false,
      render: (o) => (o.cancelled_at !== null ? cancelled : paysOut(o.profile) ? payoutBadge(o.state) : paymentBadge(o.state)),
    },
    {
      id: "updated_at",
      numeric: false,
      render: (o) => <time title={formatTime(o.updated_at)}>{formatWhen(o.updated_at)}</time>,
    },
    { id: "subject", numeric: false, render: (o) => <span title={o.subject}>{o.subject}</span> },
  ];
}

const column = createColumnHelper<OrderView>();

/** The table's columns (headers, sorting, which are shown), each drawing its cell as `cells` does. */
export function orderColumns(t: TFunction, cells: OrderCell[]) {
  const header: Record<string, () => string> = {
    order_no: () => t("term.orderNo"),
    amount: () => t("term.amount"),
    profile: () => t("term.gateway"),
    channel: () => t("term.channel"),
    state: () => t("term.state"),
    updated_at: () => t("term.lastUpdate"),
    subject: () => t("term.subject"),
  };
  const sortable = new Set(["order_no", "amount"]);
  return cells.map((cell) =>
    column.accessor((o) => o[cell.id], {
      id: cell.id,
      header: header[cell.id],
      cell: (c) => cell.render(c.row.original),
      meta: cell.numeric ? { numeric: true } : undefined,
      enableSorting: sortable.has(cell.id),
    }),
  );
}
