// The orders table's columns: what each cell shows (how wide each is, and which give way first:
// layout.ts).
import { createColumnHelper } from "@tanstack/react-table";
import type { TFunction } from "i18next";
import { gatewayName } from "../names";
import { usePaysOut } from "../queries/reads";
import type { OrderView } from "../types";
import { formatMoney, formatTime, formatWhen } from "../words";
import { CancelledBadge, SandboxBadge, StateBadge } from "./StateBadge";

const column = createColumnHelper<OrderView>();

/** A row's state, worded as a payout where its profile's gateway pays money out. (A component
 * of its own, so the columns stay the same while the profiles load.) */
function RowState({ order }: { order: OrderView }) {
  const paysOut = usePaysOut();
  if (order.cancelled_at !== null) return <CancelledBadge />;
  return <StateBadge state={order.state} paysOut={paysOut(order.profile)} />;
}

export function orderColumns(t: TFunction) {
  return [
    column.accessor("order_no", {
      id: "order_no",
      header: () => t("term.orderNo"),
      cell: (c) => (
        <span className="mono" title={c.getValue()}>
          {c.getValue()}
        </span>
      ),
      enableSorting: true,
    }),
    column.accessor("amount", {
      id: "amount",
      header: () => t("term.amount"),
      cell: (c) => formatMoney(c.getValue(), c.row.original.currency),
      meta: { numeric: true },
      enableSorting: true,
    }),
    column.accessor("profile", {
      id: "profile",
      header: () => t("term.gateway"),
      // The badge stays whole; a long profile name gives way first.
      cell: (c) => (
        <span className="cell-flex">
          <span className="clip" title={`${c.getValue()} · ${gatewayName(c.row.original.gateway, t)}`}>
            {c.getValue()}
          </span>
          {c.row.original.is_sandbox && <SandboxBadge />}
        </span>
      ),
      enableSorting: false,
    }),
    column.accessor("channel", {
      id: "channel",
      header: () => t("term.channel"),
      cell: (c) => {
        const channel = c.getValue();
        return channel ? t(`channel.${channel}`) : t("common.none");
      },
      enableSorting: false,
    }),
    column.accessor("state", {
      id: "state",
      header: () => t("term.state"),
      cell: (c) => <RowState order={c.row.original} />,
      enableSorting: false,
    }),
    column.accessor("updated_at", {
      id: "updated_at",
      header: () => t("term.lastUpdate"),
      cell: (c) => <time title={formatTime(c.getValue())}>{formatWhen(c.getValue())}</time>,
      enableSorting: false,
    }),
    column.accessor("subject", {
      id: "subject",
      header: () => t("term.subject"),
      cell: (c) => <span title={c.getValue()}>{c.getValue()}</span>,
      enableSorting: false,
    }),
  ];
}
